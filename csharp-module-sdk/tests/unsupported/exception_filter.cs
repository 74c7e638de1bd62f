// Exception filters (`catch ... when`) are not translated.
using System;

static class Program
{
    static void Main()
    {
        try { throw new InvalidOperationException("x"); }
        catch (Exception e) when (e.Message == "x") { Console.WriteLine("filtered"); }
    }
}
