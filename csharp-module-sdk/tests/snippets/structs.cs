// Value types: copies, ref/out parameters, nested structs, equality, nullable values.
using System;

struct Vec
{
    public double X, Y;
    public Vec(double x, double y) { X = x; Y = y; }
    public double Length { get { return Math.Sqrt(X * X + Y * Y); } }
    public static Vec operator +(Vec a, Vec b) { return new Vec(a.X + b.X, a.Y + b.Y); }
    public static Vec operator *(Vec a, double k) { return new Vec(a.X * k, a.Y * k); }
    public override string ToString() { return "<" + X + "," + Y + ">"; }
}

struct Particle
{
    public Vec Position;
    public Vec Velocity;
    public int Id;
    public void Step(double dt) { Position = Position + Velocity * dt; }
}

struct Plain { public int A; public long B; }

static class Program
{
    static void Move(ref Particle p) { p.Step(1); }
    static void MoveCopy(Particle p) { p.Step(1); }
    static bool Split(int n, out int half, out int rest) { half = n / 2; rest = n - half; return n > 1; }

    static void Main()
    {
        var p = new Particle { Id = 1, Position = new Vec(0, 0), Velocity = new Vec(1, 2) };
        p.Step(0.5);
        Console.WriteLine(p.Position);
        Move(ref p);
        MoveCopy(p);
        Console.WriteLine(p.Position + " " + p.Position.Length.ToString("F3"));
        var q = p;
        q.Id = 2;
        Console.WriteLine(p.Id + " " + q.Id);
        var arr = new Particle[3];
        arr[1].Id = 9;
        arr[1].Velocity.X = 4;
        arr[1].Step(1);
        Console.WriteLine(arr[1].Position + " " + arr[0].Id);
        int half, rest;
        Console.WriteLine(Split(7, out half, out rest) + " " + half + " " + rest);
        var a = new Plain { A = 1, B = 2 };
        var b = new Plain { A = 1, B = 2 };
        Console.WriteLine(a.Equals(b) + " " + a.Equals(new Plain()) + " " + (a.GetHashCode() == b.GetHashCode()));
        object boxed = a;
        a.A = 5;
        Console.WriteLine(((Plain)boxed).A + " " + a.A);
        int? maybe = null;
        Console.WriteLine(maybe.HasValue + " " + maybe.GetValueOrDefault(3));
        maybe = 4;
        Console.WriteLine(maybe.HasValue + " " + maybe.Value + " " + (maybe + 1));
        int? none = null;
        Console.WriteLine((none + 1).HasValue);
        object boxedNull = none;
        Console.WriteLine(boxedNull == null);
        object boxedFour = maybe;
        Console.WriteLine((int)boxedFour);
        Vec v = default(Vec);
        Console.WriteLine(v);
    }
}
