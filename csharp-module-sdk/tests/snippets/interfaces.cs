// Interfaces, explicit implementations, abstract classes, virtual dispatch through bases.
using System;
using System.Collections.Generic;

interface IGreeter { string Greet(string who); }
interface ICounter { int Count { get; } void Increment(); }
interface INamed { string Name { get; } }

abstract class Base : INamed
{
    public abstract string Name { get; }
    public virtual string Describe() { return "I am " + Name; }
    public override string ToString() { return "Base:" + Name; }
}

class Alpha : Base, IGreeter
{
    public override string Name { get { return "alpha"; } }
    public string Greet(string who) { return "hello " + who; }
}

class Beta : Alpha, ICounter
{
    int n;
    public override string Name { get { return "beta"; } }
    public override string Describe() { return base.Describe() + " (and a counter)"; }
    int ICounter.Count { get { return n; } }
    void ICounter.Increment() { n += 10; }
    public void Increment() { n += 1; }
}

struct Meter : ICounter, IComparable<Meter>
{
    int n;
    public int Count { get { return n; } }
    public void Increment() { n++; }
    public int CompareTo(Meter other) { return n.CompareTo(other.n); }
}

static class Program
{
    static void Bump(ICounter c, int times) { for (int i = 0; i < times; i++) c.Increment(); }

    static void Main()
    {
        var items = new List<Base> { new Alpha(), new Beta() };
        foreach (Base b in items)
        {
            Console.WriteLine(b.Describe());
            Console.WriteLine(b.ToString());
            Console.WriteLine(((INamed)b).Name);
            IGreeter g = b as IGreeter;
            Console.WriteLine(g != null ? g.Greet(b.Name) : "no greeter");
            Console.WriteLine(b is ICounter);
        }
        var beta = new Beta();
        beta.Increment();
        ICounter c = beta;
        c.Increment();
        Console.WriteLine(c.Count);
        var m = new Meter();
        m.Increment();
        Bump(m, 5); // a boxed copy
        Console.WriteLine(m.Count);
        ICounter boxed = m;
        Bump(boxed, 3);
        Console.WriteLine(boxed.Count + " " + m.Count);
        var m2 = new Meter();
        Console.WriteLine(m.CompareTo(m2));
        object o = new Alpha();
        Console.WriteLine(o is Base ? "base" : "not base");
        Console.WriteLine(o is Beta ? "beta" : "not beta");
        try { var bad = (Beta)o; Console.WriteLine(bad); }
        catch (InvalidCastException) { Console.WriteLine("invalid cast"); }
    }
}
