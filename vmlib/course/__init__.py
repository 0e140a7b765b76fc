"""The course's own models: what the chapters compute, kept out of the notebooks and tested.

- :mod:`vmlib.course.exercises` -- the seeded OSTEP-style exercise base every chapter uses;
- :mod:`vmlib.course.chapters` -- the course map: chapters, prerequisites, tracks (chapter 00);
- :mod:`vmlib.course.layers` -- a disk, a file system, a virtual disk in a file (chapter 01);
- :mod:`vmlib.course.consolidation` -- VM load profiles and packing onto hosts (chapter 02);
- :mod:`vmlib.course.reasons` -- the eight reasons to virtualize, each with a small model
  (chapter 02);
- ``ch03`` and later modules -- the models and exercises of later chapters.

The live pictures of these models are in :mod:`vmlib.viz`.
"""
