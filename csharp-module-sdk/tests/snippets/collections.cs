// List<T>, Dictionary<K,V>, HashSet<T>, arrays and LINQ over them.
using System;
using System.Collections.Generic;
using System.Linq;

static class Program
{
    static void Main()
    {
        var list = new List<int> { 5, 3, 8, 1 };
        list.Add(9);
        list.Insert(0, 7);
        list.Remove(3);
        list.RemoveAt(1);
        Console.WriteLine(string.Join(",", list) + " count=" + list.Count + " contains8=" + list.Contains(8) + " indexOf9=" + list.IndexOf(9));
        list.Sort();
        Console.WriteLine(string.Join(",", list));
        list.Reverse();
        Console.WriteLine(string.Join(",", list.ToArray()));
        Console.WriteLine(list.Find(x => x < 5) + " " + list.FindIndex(x => x == 8) + " " + list.Exists(x => x > 100));
        list.RemoveAll(x => x % 2 == 1);
        Console.WriteLine(string.Join(",", list));

        var ages = new Dictionary<string, int>();
        ages["bob"] = 30;
        ages["alice"] = 25;
        ages.Add("carol", 41);
        ages["bob"] = 31;
        Console.WriteLine(ages.Count + " " + ages["bob"] + " " + ages.ContainsKey("dave"));
        int age;
        Console.WriteLine(ages.TryGetValue("alice", out age) + " " + age);
        Console.WriteLine(ages.TryGetValue("zed", out age) + " " + age);
        foreach (KeyValuePair<string, int> kv in ages) Console.WriteLine(kv.Key + " -> " + kv.Value);
        ages.Remove("alice");
        Console.WriteLine(string.Join(",", ages.Keys) + " / " + string.Join(",", ages.Values));
        try { Console.WriteLine(ages["nobody"]); } catch (KeyNotFoundException) { Console.WriteLine("no such key"); }
        try { ages.Add("bob", 1); } catch (ArgumentException) { Console.WriteLine("duplicate key"); }
        var byId = new Dictionary<int, string>();
        for (int i = 0; i < 100; i++) byId[i * 7] = "v" + i;
        Console.WriteLine(byId.Count + " " + byId[693] + " " + byId.ContainsKey(694));

        var set = new HashSet<string> { "a", "b" };
        Console.WriteLine(set.Add("a") + " " + set.Add("c") + " " + set.Count + " " + set.Contains("b"));
        set.Remove("b");
        Console.WriteLine(set.Count);

        int[] arr = { 4, 2, 7, 1 };
        Array.Sort(arr);
        Console.WriteLine(string.Join(" ", arr) + " len=" + arr.Length + " idx=" + Array.IndexOf(arr, 7));
        var copy = new int[6];
        Array.Copy(arr, 0, copy, 1, 4);
        Console.WriteLine(string.Join(" ", copy));
        string[] words = new string[3];
        words[0] = "x";
        Console.WriteLine(words[1] == null);
        try { arr[10] = 1; } catch (IndexOutOfRangeException) { Console.WriteLine("out of range"); }
        try { var l = new List<int>(); Console.WriteLine(l[0]); } catch (ArgumentOutOfRangeException) { Console.WriteLine("list out of range"); }

        var people = new List<string> { "ann", "bob", "cy", "dora", "ed" };
        Console.WriteLine(string.Join(",", people.Where(p => p.Length > 2).Select(p => p.ToUpper())));
        Console.WriteLine(people.Count(p => p.Contains("o")) + " " + people.Any(p => p == "cy") + " " + people.All(p => p.Length < 5));
        Console.WriteLine(people.First() + " " + people.Last() + " " + people.FirstOrDefault(p => p.StartsWith("z")));
        Console.WriteLine(string.Join(",", people.OrderBy(p => p.Length).ThenByLength()));
        Console.WriteLine(string.Join(",", people.OrderByDescending(p => p)));
        Console.WriteLine(Enumerable.Range(1, 10).Sum() + " " + Enumerable.Range(1, 5).Select(i => i * i).Max() + " " + new List<int> { 3, 9, 2 }.Min());
        Console.WriteLine(string.Join(",", Enumerable.Range(0, 10).Skip(3).Take(4)));
        Console.WriteLine(string.Join(",", new List<int> { 1, 2, 2, 3, 3, 3 }.Distinct()));
        var dict = people.ToDictionary(p => p[0]);
        Console.WriteLine(dict['d']);
        Console.WriteLine(new List<int> { 1, 2, 3, 4 }.Average());
        var fromArray = new List<int>(new[] { 1, 2, 3 });
        Console.WriteLine(fromArray.Count + " " + fromArray.Sum(x => x * 2));
    }

    static IEnumerable<string> ThenByLength(this IEnumerable<string> items) { return items; }
}
