// Generic classes, methods and constraints, instantiated with value and reference types.
using System;
using System.Collections.Generic;

class Box<T>
{
    public T Value;
    public Box(T value) { Value = value; }
    public Box<U> Map<U>(Func<T, U> f) { return new Box<U>(f(Value)); }
    public override string ToString() { return "Box(" + Value + ")"; }
}

struct Pair<A, B>
{
    public A First;
    public B Second;
    public Pair(A a, B b) { First = a; Second = b; }
    public Pair<B, A> Swap() { return new Pair<B, A>(Second, First); }
}

interface IShape { double Area(); string Name { get; } }
class Square : IShape { double s; public Square(double s) { this.s = s; } public double Area() { return s * s; } public string Name { get { return "square"; } } }
class Circle : IShape { double r; public Circle(double r) { this.r = r; } public double Area() { return 3 * r * r; } public string Name { get { return "circle"; } } }

static class Program
{
    static T Max<T>(T a, T b) where T : IComparable<T> { return a.CompareTo(b) >= 0 ? a : b; }
    static double Total<T>(List<T> shapes) where T : IShape
    {
        double t = 0;
        foreach (T s in shapes) t += s.Area();
        return t;
    }
    static void Swap<T>(ref T a, ref T b) { T t = a; a = b; b = t; }
    static T FirstOr<T>(IEnumerable<T> items, T fallback) { foreach (T x in items) return x; return fallback; }

    static void Main()
    {
        var b = new Box<int>(21);
        Console.WriteLine(b);
        Console.WriteLine(b.Map(x => x * 2));
        Console.WriteLine(b.Map(x => "s" + x).Value.Length);
        var p = new Pair<int, string>(1, "one").Swap();
        Console.WriteLine(p.First + " " + p.Second);
        Console.WriteLine(Max(3, 9));
        Console.WriteLine(Max("apple", "pear"));
        Console.WriteLine(Max(2.5, -1.0));
        var shapes = new List<IShape> { new Square(2), new Circle(1) };
        Console.WriteLine(Total(shapes));
        foreach (IShape s in shapes) Console.WriteLine(s.Name + " " + s.Area());
        int x1 = 1, x2 = 2;
        Swap(ref x1, ref x2);
        Console.WriteLine(x1 + "," + x2);
        string s1 = "a", s2 = "b";
        Swap(ref s1, ref s2);
        Console.WriteLine(s1 + s2);
        Console.WriteLine(FirstOr(new List<string>(), "none"));
        Console.WriteLine(FirstOr(new List<long> { 7L }, 0L));
        Console.WriteLine(default(Pair<int, string>).Second == null);
        var nested = new List<List<int>>();
        for (int i = 0; i < 3; i++) { nested.Add(new List<int>()); for (int j = 0; j <= i; j++) nested[i].Add(j); }
        Console.WriteLine(nested[2].Count + nested[1][1]);
    }
}
