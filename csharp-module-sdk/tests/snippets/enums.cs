// Enums: names, values, switches, flags, casts.
using System;

enum Color { Red, Green, Blue = 10, Purple }
enum Small : byte { A = 1, B = 200 }
[Flags] enum Perm { None = 0, Read = 1, Write = 2, Exec = 4 }

static class Program
{
    static string Describe(Color c)
    {
        switch (c)
        {
            case Color.Red: return "warm";
            case Color.Blue: return "cool";
            default: return "other";
        }
    }

    static void Main()
    {
        Color c = Color.Blue;
        Console.WriteLine(c);
        Console.WriteLine((int)c + " " + (int)Color.Purple);
        Console.WriteLine(Describe(Color.Red) + " " + Describe(c) + " " + Describe(Color.Green));
        Console.WriteLine((Color)1);
        Console.WriteLine((Color)99);
        Console.WriteLine(Small.B + " " + (int)Small.B);
        Perm p = Perm.Read | Perm.Exec;
        Console.WriteLine((int)p + " " + ((p & Perm.Write) != 0) + " " + ((p & Perm.Exec) == Perm.Exec));
        Console.WriteLine(Perm.Write);
        Console.WriteLine(c == Color.Blue);
        object boxed = Color.Green;
        Console.WriteLine(boxed);
        Console.WriteLine(boxed.Equals(Color.Green) + " " + boxed.Equals(Color.Red));
        Console.WriteLine(c.ToString().Length);
        string s = "Green";
        switch (s)
        {
            case "Red": Console.WriteLine("r"); break;
            case "Green": Console.WriteLine("g"); break;
            default: Console.WriteLine("?"); break;
        }
        string[] names = { "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta" };
        foreach (string n in names)
        {
            switch (n)
            {
                case "alpha": Console.Write(1); break;
                case "beta": Console.Write(2); break;
                case "gamma": Console.Write(3); break;
                case "delta": Console.Write(4); break;
                case "epsilon": Console.Write(5); break;
                case "zeta": Console.Write(6); break;
                case "eta": Console.Write(7); break;
                default: Console.Write(0); break;
            }
        }
        Console.WriteLine();
    }
}
