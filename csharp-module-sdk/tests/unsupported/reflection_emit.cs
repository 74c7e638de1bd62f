// No reflection, let alone emitting IL at run time.
using System;
using System.Reflection.Emit;

static class Program
{
    static void Main()
    {
        var method = new DynamicMethod("Add", typeof(int), new Type[] { typeof(int), typeof(int) });
        Console.WriteLine(method);
    }
}
