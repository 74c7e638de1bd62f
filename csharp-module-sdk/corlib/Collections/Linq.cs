// The common LINQ operators over IEnumerable<T> (System.Linq.Enumerable), as iterators.
using System.Collections.Generic;

namespace System.Linq
{
    public static class Enumerable
    {
        public static IEnumerable<T> Where<T>(this IEnumerable<T> source, Func<T, bool> predicate)
        {
            foreach (T item in source) if (predicate(item)) yield return item;
        }

        public static IEnumerable<TResult> Select<T, TResult>(this IEnumerable<T> source, Func<T, TResult> selector)
        {
            foreach (T item in source) yield return selector(item);
        }

        public static IEnumerable<T> Take<T>(this IEnumerable<T> source, int count)
        {
            if (count <= 0) yield break;
            foreach (T item in source)
            {
                yield return item;
                if (--count == 0) yield break;
            }
        }

        public static IEnumerable<T> Skip<T>(this IEnumerable<T> source, int count)
        {
            foreach (T item in source)
            {
                if (count > 0) { count--; continue; }
                yield return item;
            }
        }

        public static IEnumerable<T> Concat<T>(this IEnumerable<T> first, IEnumerable<T> second)
        {
            foreach (T item in first) yield return item;
            foreach (T item in second) yield return item;
        }

        public static IEnumerable<T> Distinct<T>(this IEnumerable<T> source)
        {
            var seen = new HashSet<T>();
            foreach (T item in source) if (seen.Add(item)) yield return item;
        }

        public static IEnumerable<T> Reverse<T>(this IEnumerable<T> source)
        {
            var list = new List<T>(source);
            for (int i = list.Count - 1; i >= 0; i--) yield return list[i];
        }

        public static IEnumerable<T> OrderBy<T, TKey>(this IEnumerable<T> source, Func<T, TKey> key)
        {
            var list = new List<T>(source);
            Comparer<TKey> c = Comparer<TKey>.Default;
            list.Sort((a, b) => c.Compare(key(a), key(b)));
            return list;
        }

        public static IEnumerable<T> OrderByDescending<T, TKey>(this IEnumerable<T> source, Func<T, TKey> key)
        {
            var list = new List<T>(source);
            Comparer<TKey> c = Comparer<TKey>.Default;
            list.Sort((a, b) => c.Compare(key(b), key(a)));
            return list;
        }

        public static List<T> ToList<T>(this IEnumerable<T> source) { return new List<T>(source); }
        public static T[] ToArray<T>(this IEnumerable<T> source) { return new List<T>(source).ToArray(); }

        public static Dictionary<TKey, T> ToDictionary<T, TKey>(this IEnumerable<T> source, Func<T, TKey> key)
        {
            var d = new Dictionary<TKey, T>();
            foreach (T item in source) d.Add(key(item), item);
            return d;
        }

        public static int Count<T>(this IEnumerable<T> source)
        {
            int n = 0;
            foreach (T item in source) n++;
            return n;
        }

        public static int Count<T>(this IEnumerable<T> source, Func<T, bool> predicate)
        {
            int n = 0;
            foreach (T item in source) if (predicate(item)) n++;
            return n;
        }

        public static bool Any<T>(this IEnumerable<T> source)
        {
            foreach (T item in source) return true;
            return false;
        }

        public static bool Any<T>(this IEnumerable<T> source, Func<T, bool> predicate)
        {
            foreach (T item in source) if (predicate(item)) return true;
            return false;
        }

        public static bool All<T>(this IEnumerable<T> source, Func<T, bool> predicate)
        {
            foreach (T item in source) if (!predicate(item)) return false;
            return true;
        }

        public static bool Contains<T>(this IEnumerable<T> source, T value)
        {
            EqualityComparer<T> eq = EqualityComparer<T>.Default;
            foreach (T item in source) if (eq.Equals(item, value)) return true;
            return false;
        }

        public static T First<T>(this IEnumerable<T> source)
        {
            foreach (T item in source) return item;
            throw new InvalidOperationException("Sequence contains no elements");
        }

        public static T First<T>(this IEnumerable<T> source, Func<T, bool> predicate)
        {
            foreach (T item in source) if (predicate(item)) return item;
            throw new InvalidOperationException("Sequence contains no matching element");
        }

        public static T FirstOrDefault<T>(this IEnumerable<T> source)
        {
            foreach (T item in source) return item;
            return default(T);
        }

        public static T FirstOrDefault<T>(this IEnumerable<T> source, Func<T, bool> predicate)
        {
            foreach (T item in source) if (predicate(item)) return item;
            return default(T);
        }

        public static T Last<T>(this IEnumerable<T> source)
        {
            bool any = false;
            T last = default(T);
            foreach (T item in source) { last = item; any = true; }
            if (!any) throw new InvalidOperationException("Sequence contains no elements");
            return last;
        }

        public static int Sum(this IEnumerable<int> source)
        {
            int sum = 0;
            foreach (int v in source) sum = checked(sum + v);
            return sum;
        }

        public static long Sum(this IEnumerable<long> source)
        {
            long sum = 0;
            foreach (long v in source) sum = checked(sum + v);
            return sum;
        }

        public static double Sum(this IEnumerable<double> source)
        {
            double sum = 0;
            foreach (double v in source) sum += v;
            return sum;
        }

        public static int Sum<T>(this IEnumerable<T> source, Func<T, int> selector) { return Sum(Select(source, selector)); }
        public static long Sum<T>(this IEnumerable<T> source, Func<T, long> selector) { return Sum(Select(source, selector)); }
        public static double Sum<T>(this IEnumerable<T> source, Func<T, double> selector) { return Sum(Select(source, selector)); }

        public static int Max(this IEnumerable<int> source)
        {
            bool any = false;
            int max = 0;
            foreach (int v in source) { if (!any || v > max) max = v; any = true; }
            if (!any) throw new InvalidOperationException("Sequence contains no elements");
            return max;
        }

        public static int Min(this IEnumerable<int> source)
        {
            bool any = false;
            int min = 0;
            foreach (int v in source) { if (!any || v < min) min = v; any = true; }
            if (!any) throw new InvalidOperationException("Sequence contains no elements");
            return min;
        }

        public static int Max<T>(this IEnumerable<T> source, Func<T, int> selector) { return Max(Select(source, selector)); }
        public static int Min<T>(this IEnumerable<T> source, Func<T, int> selector) { return Min(Select(source, selector)); }

        public static double Average(this IEnumerable<int> source)
        {
            long sum = 0;
            int n = 0;
            foreach (int v in source) { sum += v; n++; }
            if (n == 0) throw new InvalidOperationException("Sequence contains no elements");
            return (double)sum / n;
        }

        public static IEnumerable<int> Range(int start, int count)
        {
            for (int i = 0; i < count; i++) yield return start + i;
        }

        public static IEnumerable<T> Empty<T>() { return new T[0].AsEnumerableArray(); }

        static IEnumerable<T> AsEnumerableArray<T>(this T[] array)
        {
            for (int i = 0; i < array.Length; i++) yield return array[i];
        }
    }
}
