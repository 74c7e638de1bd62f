// A BCL type the corlib subset does not have.
using System;

static class Program
{
    static void Main()
    {
        string text = System.IO.File.ReadAllText("config.json");
        Console.WriteLine(text);
    }
}
