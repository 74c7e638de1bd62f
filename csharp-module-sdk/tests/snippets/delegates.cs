// Delegates: static and instance methods, lambdas with captures, Func/Action/Predicate, events.
using System;
using System.Collections.Generic;

class Counter
{
    int total;
    public int Add(int x) { total += x; return total; }
    public event Action<int> Changed;
    public void Set(int v) { total = v; if (Changed != null) Changed(v); }
}

struct Scaler
{
    public int Factor;
    public int Scale(int x) { return x * Factor; }
}

static class Program
{
    static int Square(int x) { return x * x; }
    static int Apply(Func<int, int> f, int x) { return f(x); }
    static Func<int, int> Adder(int n) { return x => x + n; }

    static void Main()
    {
        Func<int, int> sq = Square;
        Console.WriteLine(sq(7));
        var c = new Counter();
        Func<int, int> add = c.Add;
        add(5);
        Console.WriteLine(add(10));
        Console.WriteLine(Apply(x => x - 1, 100));
        var add3 = Adder(3);
        Console.WriteLine(add3(4));
        int captured = 0;
        Action inc = () => captured++;
        inc(); inc(); inc();
        Console.WriteLine(captured);
        var funcs = new List<Func<int>>();
        for (int i = 0; i < 3; i++) { int j = i; funcs.Add(() => j * 10); }
        foreach (var f in funcs) Console.WriteLine(f());
        Predicate<string> longWord = w => w.Length > 3;
        Console.WriteLine(longWord("hi") + " " + longWord("hello"));
        Comparison<int> desc = (a, b) => b.CompareTo(a);
        var nums = new List<int> { 3, 1, 2 };
        nums.Sort(desc);
        Console.WriteLine(string.Join(",", nums));
        var s = new Scaler { Factor = 3 };
        Func<int, int> scale = s.Scale;
        Console.WriteLine(scale(5));
        c.Changed += v => Console.WriteLine("changed to " + v);
        c.Set(42);
        Action<string, int> show = (name, n) => Console.WriteLine(name + "=" + n);
        show("x", 1);
        Func<int, int, int> mul = (a, b) => a * b;
        Console.WriteLine(mul(6, 7));
        Func<int> nothing = null;
        try { nothing(); } catch (NullReferenceException) { Console.WriteLine("null delegate"); }
    }
}
