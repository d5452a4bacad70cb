"in sub"
