// Static constructors run once, at first use, in the order the program first touches types;
// static fields and readonly statics.
using System;
using System.Collections.Generic;

class Config
{
    public static readonly List<string> Names;
    public static int Loads;
    static Config()
    {
        Console.WriteLine("Config initialised");
        Names = new List<string> { "a", "b" };
        Loads = 1;
    }
    public static string First() { return Names[0]; }
}

class Lazy
{
    public static int Value = Compute();
    static Lazy() { Console.WriteLine("Lazy initialised"); }
    static int Compute() { Console.WriteLine("computing"); return 42; }
}

class Instance
{
    static int created;
    static Instance() { Console.WriteLine("Instance type initialised"); }
    public readonly int Number;
    public Instance() { Number = ++created; }
}

static class Program
{
    static int counter;
    static readonly string Greeting = "hi";

    static void Main()
    {
        Console.WriteLine("start");
        Console.WriteLine(Greeting);
        Console.WriteLine(Config.First());
        Console.WriteLine(Config.Names.Count + " " + Config.Loads);
        Console.WriteLine("before lazy");
        Console.WriteLine(Lazy.Value);
        Console.WriteLine(Lazy.Value);
        var a = new Instance();
        var b = new Instance();
        Console.WriteLine(a.Number + " " + b.Number);
        counter += 5;
        counter++;
        Console.WriteLine(counter);
    }
}
