let f = x: x + "a"; in f 1
