{
  /**
    Add two numbers.

    ```nix
    add 1 2
    ```
  */
  add = a: b: a + b;

  /** On the binding: hidden by the lambda's own. */
  own =
    /**
      The lambda's own comment.
    */
    x: x;

  curried =
    /** Outer. */
    x:
    # an ordinary comment in between is fine
    /** Inner. */
    y: x;

  plain = x: x;

  /** A version string. */
  meta.version = "1.0";

  meta.undocumented = { };
}
