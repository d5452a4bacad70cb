{ base ? 10 }:
{
  plus = x: x + base;
}
