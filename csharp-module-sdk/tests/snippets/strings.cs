// Strings: concatenation, interpolation, formatting, comparison, searching, StringBuilder.
using System;
using System.Text;

static class Program
{
    static void Main()
    {
        string a = "Hello", b = "World";
        Console.WriteLine(a + ", " + b + "!");
        int n = 42;
        double d = 3.14159;
        Console.WriteLine($"n={n} d={d} both={n + d}");
        Console.WriteLine($"{n,5}|{n,-5}|{n:D4}|{n:X}|{255:x}");
        Console.WriteLine(string.Format("{0:F2} {1:N0} {2:N2} {0:F0}", d, 1234567, 9876.5));
        Console.WriteLine(string.Format("{{literal}} {0}", "x"));
        Console.WriteLine(1.5f + " " + 0.1 + " " + 1e20 + " " + 1e-7 + " " + (-0.0) + " " + 100.0 + " " + 123456789.125);
        Console.WriteLine(double.NaN + " " + (1.0 / 0) + " " + (-1.0 / 0));
        Console.WriteLine((1.0 / 3) + " " + (2.0 / 3) + " " + Math.PI + " " + (float)Math.PI + " " + 1e15 + " " + 123456789012345678.0 + " " + (-2.5e-10));
        Console.WriteLine(long.MaxValue + " " + int.MinValue + " " + ulong.MaxValue + " " + (byte)200 + " " + (sbyte)-5);
        Console.WriteLine('x' + "" + true + false + null + 'y');
        string s = "  The quick brown fox  ";
        Console.WriteLine("[" + s.Trim() + "]");
        Console.WriteLine(s.Trim().ToUpper() + " " + s.Trim().ToLower());
        Console.WriteLine(s.IndexOf("quick") + " " + s.IndexOf('z') + " " + s.Contains("brown") + " " + s.Trim().StartsWith("The") + " " + s.Trim().EndsWith("fox"));
        Console.WriteLine(s.Trim().Substring(4, 5) + "|" + s.Trim().Replace("quick", "slow") + "|" + s.Trim().Replace('o', '0'));
        string[] parts = "a,b,,c".Split(',');
        Console.WriteLine(parts.Length + " " + string.Join("+", parts));
        Console.WriteLine(string.Compare("abc", "abd") < 0);
        Console.WriteLine("abc" == "ab" + "c");
        Console.WriteLine(string.IsNullOrEmpty("") + " " + string.IsNullOrEmpty(null) + " " + string.IsNullOrEmpty("x"));
        Console.WriteLine("7".PadLeft(3, '0') + " " + "ab".PadRight(4, '.') + "|");
        var sb = new StringBuilder();
        for (int i = 0; i < 5; i++) sb.Append(i).Append(';');
        sb.Insert(0, "[").Append("]");
        sb.Remove(1, 2);
        Console.WriteLine(sb.ToString() + " " + sb.Length);
        sb.Clear();
        sb.AppendFormat("{0}-{1}", "x", 9);
        Console.WriteLine(sb);
        Console.WriteLine(new string('=', 10));
        Console.WriteLine("héllo wörld ✓".Length + " " + "héllo wörld ✓");
        char[] chars = "dcba".ToCharArray();
        Array.Sort(chars);
        Console.WriteLine(new string(chars));
        Console.WriteLine(int.Parse("-123") + long.Parse("9000000000") + " " + double.Parse("2.5"));
        Console.WriteLine(12.ToString("D5") + " " + (-12).ToString() + " " + 3.5.ToString("F3") + " " + 0.25.ToString("P1"));
        Console.WriteLine(1.0 / 3 * 3 == 1.0);
        Console.WriteLine((0.1 + 0.2).ToString("R"));
    }
}
