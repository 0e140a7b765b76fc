"""A hypervisor for vmlib's RV32 machine: guests, techniques, Popek & Goldberg, a cost model."""
