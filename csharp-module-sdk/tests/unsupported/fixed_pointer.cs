// Objects are not pinned: a pointer into a managed array is refused.
using System;

static class Program
{
    static unsafe int Sum(int[] values)
    {
        int total = 0;
        fixed (int* p = values)
        {
            for (int i = 0; i < values.Length; i++) total += p[i];
        }
        return total;
    }

    static void Main() { Console.WriteLine(Sum(new[] { 1, 2, 3 })); }
}
