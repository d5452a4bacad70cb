{
  a = 1;
  f = { x, y ? 2, ... }@args: x;
  g = z: z;
  s = { t = true; };
}
