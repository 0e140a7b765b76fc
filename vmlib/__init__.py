"""vmlib: a small RISC-V RV32 computer, process VMs and a hypervisor model, for a course on virtualization."""
