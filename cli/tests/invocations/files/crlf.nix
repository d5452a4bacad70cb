# CR LF line ends
let
  s = "two
lines\r";
in { inherit s; n = 1; }
