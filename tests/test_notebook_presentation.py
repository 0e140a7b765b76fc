"""What a learner and a presenter see of the chapters, checked on the saved notebooks.

Each test holds one class of finding of issue 9, so that it cannot come back:

- presenter notes are marked as such for a learner reading alone;
- a widget's saved plain text names it (never ``VBox(children=...``);
- text outputs fit a notebook at 1280 px with the file browser open (about 107 columns: the
  browser test measures it); the course prints at most ``vmlib.course.text.WIDTH``;
- every link between chapters leads to a notebook that exists, and every chapter says where to
  go next (or that its track ends);
- every ``vmlib/...`` path the prose names exists;
- figures the prose quotes are the figures the outputs show.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from vmlib.course.chapters import CHAPTERS, TRACKS

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / 'notebooks'
CHAPTER_FILES = sorted(NOTEBOOKS.glob('[0-9][0-9]_*.ipynb'))
from vmlib.slides import NOTE_MARK
MAX_COLUMNS = 100


def cells(path):
    return json.loads(path.read_text())['cells']


def source(cell) -> str:
    s = cell['source']
    return ''.join(s) if isinstance(s, list) else s


def slide_type(cell) -> str:
    return cell.get('metadata', {}).get('slideshow', {}).get('slide_type', '')


def texts(cell):
    """The plain texts a code cell's saved outputs show."""
    for out in cell.get('outputs', []):
        text = out.get('text') or out.get('data', {}).get('text/plain')
        if text:
            yield ''.join(text) if isinstance(text, list) else text


def markdown(path) -> str:
    return '\n'.join(source(c) for c in cells(path) if c['cell_type'] == 'markdown')


@pytest.fixture(params=CHAPTER_FILES, ids=lambda p: p.stem[:2])
def notebook(request):
    return request.param


def test_every_chapter_of_the_map_that_is_ready_is_here():
    assert [p.name for p in CHAPTER_FILES] == [c.notebook for c in CHAPTERS.values() if c.ready]


def test_presenter_notes_are_marked_for_a_learner_alone(notebook):
    notes = [source(c) for c in cells(notebook) if slide_type(c) == 'notes']
    assert notes, 'every chapter has speaker notes'
    for text in notes:
        assert text.startswith(NOTE_MARK), text[:80]
        assert all(line.startswith('>') for line in text.split('\n')), text[:80]


def test_widgets_show_their_name_not_their_repr(notebook):
    for i, cell in enumerate(cells(notebook)):
        for text in texts(cell):
            assert not re.match(r'[A-Z][A-Za-z]*Box\(children=', text), (notebook.name, i)


def test_text_outputs_fit_the_notebook(notebook):
    wide = [(i, len(line), line[:60]) for i, cell in enumerate(cells(notebook))
            for text in texts(cell) for line in text.split('\n') if len(line) > MAX_COLUMNS]
    assert not wide, f'{notebook.name}: output lines over {MAX_COLUMNS} columns: {wide}'


LINK = re.compile(r'\]\(([^)\s#]+\.ipynb)(#[^)]*)?\)')


def test_every_link_between_chapters_leads_to_a_notebook(notebook):
    for target, _ in LINK.findall(markdown(notebook)):
        assert (notebook.parent / target).is_file(), f'{notebook.name} links to {target}'


def test_every_chapter_says_where_to_go_next(notebook):
    number = int(notebook.name[:2])
    last = source(cells(notebook)[-1])
    track = next(t for t in TRACKS.values() if number in t.chapters)
    ready_after = [n for n in track.chapters if n > number and CHAPTERS[n].ready]
    if ready_after:
        assert f'({CHAPTERS[ready_after[0]].notebook})' in last, notebook.name
    elif track.name == 'beginner':
        first_advanced = min(n for t in TRACKS.values() if t.name != 'beginner'
                             for n in t.chapters)
        assert 'end of the **beginner track**' in last
        assert f'({CHAPTERS[first_advanced].notebook})' in last
    else:
        assert 'is coming' in last, f'{notebook.name}: the next chapter is not written yet'


def test_every_vmlib_path_in_the_prose_exists(notebook):
    for path in re.findall(r'\bvmlib/[\w/]+(?:\.\w+)?', markdown(notebook)):
        assert (REPO / path).exists() or (REPO / f'{path}.py').exists(), (notebook.name, path)


#: (chapter, what the prose says, what an output of the same chapter shows): each figure a
#: chapter's prose quotes, tied to the output it comes from (nbval ties the output to the code)
PROSE_FIGURES = [
    ('02', 'is paused for almost 9 seconds', ['8738ms']),
    ('02', 'The pauses are 1.2, 60.7 and 127.9 ms', ['1.2ms', '60.7ms', '127.9ms']),
    ('02', 'stops pre-copy after 4 rounds', ['29000      4 ', 'sent over 3x memory']),
    ('03', '`cycle` reads 2001 and `time` 200; two instructions later `instret` reads 2003',
     ["{'cycle': 2001, 'time': 200, 'instret': 2003}"]),
    ('03', 'The store landed at physical `0x80005000`', ['-> pa 80005000']),
    ('04', '**18** instructions are the program\'s own', ['instructions in the program (main):     18']),
    ('04', '**781** before `main`', ['before main 781']),
    ('04', '**3,269** inside `printf`', ['in calls from main 3269']),
    ('04', '**144** after `main` returns', ['after main 144']),
    ('06', '119 blocks, and 73.2% of its instructions translated', ['119          73.2%']),
    ('08', 'the same 33,020 instructions as in chapters 04 and 05', ['33,020, all in U']),
    ('08', 'in the kernel (49.0% S)', ['callret         87,139   6.4  49.0  44.6']),
    ('08', '(`0x989680` = 10 MHz', ['timebase-frequency = <0x989680>']),
    ('08', 'interrupt line (source 10 of the PLIC)', ['interrupts = <0xa>']),
    ('08', 'A third of the boot sets up the **page array**', ['page array set-up     33.0%']),
    ('08', "machine's 128 MiB, 32,768 of them", ['Total pages: 32768']),
    ('08', 'where Linux prints 48 to reach its prompt', ['console lines at boot              7 (whole run)              48']),
    ('08', 'sampled every 5,000 instructions', ['one every 5,000 instructions']),
    ('09', 'takes 1.07x the cycles of the bare machine', ['1.07x']),
    ('09', '(`callret`: 3.02x the whole run, 2.67x steady)', ['3.02x   2.67x']),
    ('09', 'so it runs at about 40x (41.69x steady)', ['41.69x']),
    ('09', 'prices one\n`getpid` at 4,761 cycles', ['4,761']),
    ('11', 'A fifth of this kernel changed', ['(19.5% changed)']),
    ('11', '`syscall` goes from 5,894 exits to 1,140', ['5,894  1,140']),
    ('11', 'from 1,451 to 149', ['1,451    149']),
    ('11', 'The 510 reflected exceptions', ['guest_exception 510, hidden']),
    ('11', 'the 5,126 privileged', ['privileged_instruction 5,126']),
    ('11', 'Two notifications instead of four, no interrupts',
     ['notifications 2 (saved 0), interrupts 0 (saved 2)']),
    ('11', '`compute` above costs 0.95', ['2,431,930     0.95']),
    ('12', 'In short, for the 44 sensitive instructions', ['44 sensitive']),
    ('12', 'From 5,851 exits to 196.', ['all exits               5,851  196']),
    ('12', '(`pgfault`: 841 to', ['pgfault             841', '397']),
    ('12', 'half their cycles or more', ['0.50', '0.43']),
    ('12', '3 ms in all', ['3,000 us stolen']),
    ('12', '(7.29 exits per thousand instructions against 0.72)',
     ['exits per 1,000 instructions                  0.72                           7.29']),
    ('12', 'per thousand instructions (0.90)',
     ['exits per 1,000 instructions                  0.37                           0.90']),
    ('13', 'host references and the 2 guest ones, **8**', ['after 8 references (6 G-stage, 2 VS']),
    ('13', "x86-64's four levels under four give 24", ['(8, 24)']),
    ('13', 'reads 5 to 6 entries instead of 2', ['5.5', '5.8', '  2.0  ']),
    ('13', '(270 cycles a round trip against 2,000)', ['2,553,553', '2,850,239']),
    ('13', 'Below 64 entries shadow paging wins', ['1,936,643  2,321,005  shadow',
                                                  '1,553,903    789,465  nested']),
    ('10', '`syscall` 86.9% of its instructions', ['86.9%']),
    ('10', '`forkwait` 98.1%', ['98.1%']),
    ('10', '`demo` 2.6%, `compute` 0.3%', ['2.6%', '0.3%']),
    ('10', 'from 524 to\n1,101 kernel instructions translated', ['    524     113',
                                                              '  1,101     238']),
    ('10', '100,000 the translator has made 170 blocks',
     ['100,000                170                785             +118']),
    ('10', '`syscall` costs 0.27',
     ['syscall        5,851       530        5,322    2,553,960    692,255     0.27']),
    ('10', '`csr` 0.31', ['0.31']),
    ('10', 'It loses on `callret`, 1.32', ['1.32']),
    ('10', '135,680 cycles of lookups', ['135,680']),
    ('10', 'turns 116 of the 122', ['122           0', '6         116']),
    ('10', '523,423 without, 495,223 with', ['523,423', '495,223']),
    ('10', 'retranslated 22 times and reverted 21', ['22        21']),
    ('10', '641,605 cycles with adaptation,\n607,296 without', ['641,605', '607,296']),
    ('10', 'prints, and exits with status 0',
     ['bt, nonvirt              0              5  as on the bare machine']),
    ('15', 'binary translation wins `io`', ['io            28    1,586    996   623*',
                                            'blk          137    5,628    498    399   273*']),
    ('15', 'Emulation costs 40x to 57x everywhere', ['40.06x', '57.26x']),
    ('15', 'within 5% of the bare machine (1.02x to 1.05x)',
     ['compute    1.00x   40.06x   1.05x   1.04x   1.04x   1.02x    1.04x']),
    ('15', '(`forkwait`: 1,416 to\n351; `csr`: 1,228 to 38)', ['1,416  351', '1,228   38']),
    ('15', '14 exits for 500 system', ['syscall       -        0  5,671  532  1,140     14']),
    ('15', '510 `guest_exception` exits', ['guest_exception 510']),
    ('15', 'are callouts (5,140)', ['5,140 callouts']),
    ('15', '35 exits in the whole', ['hw, no nested paging: 35 exits']),
    ('15', 'same 1,176 device accesses', ['1,176 device', 'KVM_EXIT_MMIO 1,176']),
    ('15', 'registers 4 times (`mmio`)', ['mmio 4)', '1,695 callouts']),
    ('15', 'so is every `sfence.vma` (124)', ['sfence_vma 124', 'page_table_write 6)']),
    ('15', '3,231 lookups at 40 cycles', ['3,231 cache lookups']),
    ('15', '(61,700 on `callret`)', ['translation 61,700']),
    ('15', 'Below 206 cycles', ['0 to     206 cycles: hw wins io']),
    ('15', 'above 7,304', ['7,304 to  10,000 cycles: pv wins exception']),
]


@pytest.mark.parametrize('chapter, prose, shown', PROSE_FIGURES,
                         ids=[f'{c}-{i}' for i, (c, _, _) in enumerate(PROSE_FIGURES)])
def test_figures_in_the_prose_are_the_outputs(chapter, prose, shown):
    path = next(p for p in CHAPTER_FILES if p.name.startswith(chapter))
    assert prose in markdown(path), f'{path.name}: the prose no longer says {prose!r}'
    outputs = '\n'.join(t for c in cells(path) for t in texts(c))
    for figure in shown:
        assert figure in outputs, f'{path.name}: no output shows {figure!r} ({prose!r})'
