// The collection interfaces, and the default comparers generic collections use.

namespace System.Collections
{
    public interface IEnumerable { IEnumerator GetEnumerator(); }
    public interface IEnumerator
    {
        bool MoveNext();
        object Current { get; }
        void Reset();
    }
    public interface ICollection : IEnumerable { int Count { get; } }
    public interface IList : ICollection { }
}

namespace System.Collections.Generic
{
    public interface IEnumerable<out T> : System.Collections.IEnumerable { new IEnumerator<T> GetEnumerator(); }
    public interface IEnumerator<out T> : System.Collections.IEnumerator, IDisposable { new T Current { get; } }
    public interface IReadOnlyCollection<out T> : IEnumerable<T> { int Count { get; } }
    public interface IReadOnlyList<out T> : IReadOnlyCollection<T> { T this[int index] { get; } }
    public interface ICollection<T> : IEnumerable<T>
    {
        int Count { get; }
        bool IsReadOnly { get; }
        void Add(T item);
        void Clear();
        bool Contains(T item);
        void CopyTo(T[] array, int arrayIndex);
        bool Remove(T item);
    }
    public interface IList<T> : ICollection<T>
    {
        T this[int index] { get; set; }
        int IndexOf(T item);
        void Insert(int index, T item);
        void RemoveAt(int index);
    }
    public interface IDictionary<TKey, TValue> : ICollection<KeyValuePair<TKey, TValue>>
    {
        TValue this[TKey key] { get; set; }
        void Add(TKey key, TValue value);
        bool ContainsKey(TKey key);
        bool Remove(TKey key);
        bool TryGetValue(TKey key, out TValue value);
    }
    public interface IReadOnlyDictionary<TKey, TValue> : IReadOnlyCollection<KeyValuePair<TKey, TValue>>
    {
        TValue this[TKey key] { get; }
        bool ContainsKey(TKey key);
        bool TryGetValue(TKey key, out TValue value);
    }
    public interface ISet<T> : ICollection<T> { new bool Add(T item); }
    public interface IEqualityComparer<in T>
    {
        bool Equals(T x, T y);
        int GetHashCode(T obj);
    }
    public interface IComparer<in T> { int Compare(T x, T y); }

    public struct KeyValuePair<TKey, TValue>
    {
        readonly TKey key;
        readonly TValue value;
        public KeyValuePair(TKey key, TValue value) { this.key = key; this.value = value; }
        public TKey Key { get { return key; } }
        public TValue Value { get { return value; } }
        public override string ToString()
        {
            return string.Concat("[", key == null ? "" : key.ToString(), ", ", value == null ? "" : value.ToString(), "]");
        }
    }

    /// Equality through the type's own `Equals` (IEquatable<T> where the type has it).
    public abstract class EqualityComparer<T> : IEqualityComparer<T>
    {
        // Statics holding objects are set only by static initializers (docs/modules-csharp.md).
        static readonly EqualityComparer<T> defaultComparer = new ObjectEqualityComparer<T>();

        public static EqualityComparer<T> Default { get { return defaultComparer; } }

        public abstract bool Equals(T x, T y);
        public abstract int GetHashCode(T obj);
    }

    sealed class ObjectEqualityComparer<T> : EqualityComparer<T>
    {
        public override bool Equals(T x, T y)
        {
            if (x == null) return y == null;
            if (y == null) return false;
            return x.Equals(y);
        }

        public override int GetHashCode(T obj) { return obj == null ? 0 : obj.GetHashCode(); }
    }

    /// Order through IComparable<T> (or IComparable).
    public abstract class Comparer<T> : IComparer<T>
    {
        // Statics holding objects are set only by static initializers (docs/modules-csharp.md).
        static readonly Comparer<T> defaultComparer = new ObjectComparer<T>();

        public static Comparer<T> Default { get { return defaultComparer; } }

        public abstract int Compare(T x, T y);
    }

    sealed class ObjectComparer<T> : Comparer<T>
    {
        public override int Compare(T x, T y)
        {
            if (x == null) return y == null ? 0 : -1;
            if (y == null) return 1;
            IComparable<T> typed = x as IComparable<T>;
            if (typed != null) return typed.CompareTo(y);
            IComparable untyped = x as IComparable;
            if (untyped != null) return untyped.CompareTo(y);
            throw new InvalidOperationException("Failed to compare two elements in the array.");
        }
    }

    sealed class ComparisonComparer<T> : IComparer<T>
    {
        readonly Comparison<T> comparison;
        public ComparisonComparer(Comparison<T> comparison) { this.comparison = comparison; }
        public int Compare(T x, T y) { return comparison(x, y); }
    }
}
