{
  left = 1;
  right = 2;
  fails = throw "no";
}
