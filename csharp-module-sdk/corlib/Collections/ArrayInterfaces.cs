// What a T[] does as an IList<T>, ICollection<T>, IEnumerable<T> (and their read-only and
// non-generic forms): the translator points an array type's interface table at these static
// methods, whose first parameter is the array (it stands where `this` would).

namespace System.Collections.Generic
{
    internal static class SZArrayHelper<T>
    {
        internal static IEnumerator<T> GetEnumerator(T[] array) { return new ArrayEnumerator<T>(array); }
        internal static System.Collections.IEnumerator NonGenericGetEnumerator(T[] array) { return new ArrayEnumerator<T>(array); }
        internal static int get_Count(T[] array) { return array.Length; }
        internal static bool get_IsReadOnly(T[] array) { return true; }
        internal static T get_Item(T[] array, int index) { return array[index]; }
        internal static void set_Item(T[] array, int index, T value) { array[index] = value; }
        internal static int IndexOf(T[] array, T item) { return Array.IndexOf(array, item); }
        internal static bool Contains(T[] array, T item) { return Array.IndexOf(array, item) >= 0; }
        internal static void CopyTo(T[] array, T[] destination, int index) { Array.Copy(array, 0, destination, index, array.Length); }
        internal static void Add(T[] array, T item) { throw new NotSupportedException("Collection was of a fixed size."); }
        internal static void Insert(T[] array, int index, T item) { throw new NotSupportedException("Collection was of a fixed size."); }
        internal static bool Remove(T[] array, T item) { throw new NotSupportedException("Collection was of a fixed size."); }
        internal static void RemoveAt(T[] array, int index) { throw new NotSupportedException("Collection was of a fixed size."); }
        internal static void Clear(T[] array) { throw new NotSupportedException("Collection was of a fixed size."); }
    }

    internal sealed class ArrayEnumerator<T> : IEnumerator<T>
    {
        readonly T[] array;
        int index = -1;

        public ArrayEnumerator(T[] array) { this.array = array; }
        public bool MoveNext() { return ++index < array.Length; }
        public T Current { get { return array[index]; } }
        object System.Collections.IEnumerator.Current { get { return array[index]; } }
        public void Reset() { index = -1; }
        public void Dispose() { }
    }
}
