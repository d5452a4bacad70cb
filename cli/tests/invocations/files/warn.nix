builtins.warn "careful" 1
