with { a = 1; b = 2; };
let c = 3; in assert a < b; a + b + c
