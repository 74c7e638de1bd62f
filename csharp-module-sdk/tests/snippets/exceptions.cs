// Exceptions: throw/catch by type, finally on every path, nesting, rethrow, custom types,
// the runtime's own (null, bounds, division, overflow, casts).
using System;
using System.Collections.Generic;

class GameException : Exception
{
    public int Code;
    public GameException(string message, int code) : base(message) { Code = code; }
}

static class Program
{
    static List<string> log = new List<string>();

    static int Divide(int a, int b) { return a / b; }

    static int WithFinally(int x)
    {
        try
        {
            if (x < 0) throw new ArgumentException("negative");
            if (x == 0) return -1;
            return x * 2;
        }
        finally
        {
            log.Add("finally " + x);
        }
    }

    static void Nested()
    {
        try
        {
            try { throw new GameException("inner", 7); }
            finally { log.Add("inner finally"); }
        }
        catch (GameException e) { log.Add("caught " + e.Message + " code " + e.Code); throw; }
        finally { log.Add("outer finally"); }
    }

    static void Main()
    {
        Console.WriteLine(WithFinally(3) + " " + WithFinally(0));
        try { WithFinally(-1); } catch (ArgumentException e) { Console.WriteLine("arg: " + e.Message); }
        try { Nested(); } catch (Exception e) { Console.WriteLine("rethrown: " + e.Message + " " + (e is GameException)); }
        foreach (string l in log) Console.WriteLine(l);
        try { Divide(1, 0); } catch (DivideByZeroException e) { Console.WriteLine("div: " + e.Message); }
        try { checked { int big = int.MaxValue; big++; Console.WriteLine(big); } } catch (OverflowException e) { Console.WriteLine("overflow: " + e.Message); }
        try { string s = null; Console.WriteLine(s.Length); } catch (NullReferenceException) { Console.WriteLine("null"); }
        try { object o = "text"; var n = (List<int>)o; Console.WriteLine(n); } catch (InvalidCastException) { Console.WriteLine("cast"); }
        try { throw new NotSupportedException(); } catch (Exception e) { Console.WriteLine(e.Message); }
        try { throw new InvalidOperationException(); } catch (Exception e) { Console.WriteLine(e.Message); }
        int count = 0;
        for (int i = 0; i < 5; i++)
        {
            try
            {
                if (i % 2 == 0) continue;
                count += 10;
            }
            finally { count++; }
        }
        Console.WriteLine(count);
        try
        {
            try { throw new Exception("first"); }
            catch (Exception) { throw new Exception("second"); }
        }
        catch (Exception e) { Console.WriteLine(e.Message); }
        var ex = new Exception("wrapped", new GameException("cause", 1));
        Console.WriteLine(ex.InnerException.Message);
    }
}
