let
  f = { x, y ? x + 1, ... }@args: x * y + builtins.length (builtins.attrNames args);
  g = a: b: a - b;
in
[ (f { x = 2; }) (g 5 3) (map (v: v * 2) [ 1 2 3 ]) ]
