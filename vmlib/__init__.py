"""vmlib: a small RISC-V RV32 computer, process VMs and a hypervisor model, for a course on virtualization."""

__version__ = '0.1.0'       # the same as pyproject.toml's (tests/test_cli_version.py checks)
