let
  base = { a = 1; b.c = 2; b.d = [ 3 4 ]; };
  r = rec { x = y + 1; y = base.a; inherit (base) b; };
in
base // r // { z = r.x or 0; has = base ? b.c; }
