{ x ? 1, y }: { sum = x + y; inherit y; }
