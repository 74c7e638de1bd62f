// A static holding objects may be set only by static initializers: objects made while a
// reducer runs are freed when it returns.
using System;
using System.Collections.Generic;

static class Program
{
    static List<string> seen;

    static void Remember(string name)
    {
        seen = new List<string>();
        seen.Add(name);
    }

    static void Main() { Remember("x"); Console.WriteLine(seen.Count); }
}
