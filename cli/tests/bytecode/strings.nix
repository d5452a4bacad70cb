let name = "world"; n = 3; in {
  greeting = "hello ${name}, ${toString n} times";
  indented = ''
    line ${name}
  '';
  path = ./some/file.nix;
  cmp = name == "world" && n >= 3 || !(n < 0);
}
