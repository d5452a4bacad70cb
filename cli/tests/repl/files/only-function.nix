/**
  The whole file is this function.
*/
{ ... }: { }
