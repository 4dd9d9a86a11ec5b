"""Launch from a VLE: the LTI 1.3 tool's log-in initiation, launch and key set."""
