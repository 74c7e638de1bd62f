// List<T>: a growable array.

namespace System.Collections.Generic
{
    public class List<T> : IList<T>, IReadOnlyList<T>
    {
        T[] items;
        int size;
        int version;

        public List() { items = new T[0]; }
        public List(int capacity)
        {
            if (capacity < 0) throw new ArgumentOutOfRangeException("capacity");
            items = new T[capacity];
        }
        public List(IEnumerable<T> collection) : this() { AddRange(collection); }

        public int Count { get { return size; } }
        public int Capacity { get { return items.Length; } }
        public bool IsReadOnly { get { return false; } }

        public T this[int index]
        {
            get
            {
                if ((uint)index >= (uint)size) throw new ArgumentOutOfRangeException("index", "Index was out of range. Must be non-negative and less than the size of the collection.");
                return items[index];
            }
            set
            {
                if ((uint)index >= (uint)size) throw new ArgumentOutOfRangeException("index", "Index was out of range. Must be non-negative and less than the size of the collection.");
                items[index] = value;
                version++;
            }
        }

        void Grow(int min)
        {
            int capacity = items.Length == 0 ? 4 : items.Length * 2;
            if (capacity < min) capacity = min;
            T[] grown = new T[capacity];
            Array.Copy(items, grown, size);
            items = grown;
        }

        public void Add(T item)
        {
            if (size == items.Length) Grow(size + 1);
            // Stored before counted: a store that fails leaves the list as it was.
            items[size] = item;
            size++;
            version++;
        }

        public void AddRange(IEnumerable<T> collection)
        {
            foreach (T item in collection) Add(item);
        }

        public void Insert(int index, T item)
        {
            if ((uint)index > (uint)size) throw new ArgumentOutOfRangeException("index");
            if (size == items.Length) Grow(size + 1);
            for (int i = size; i > index; i--) items[i] = items[i - 1];
            items[index] = item;
            size++;
            version++;
        }

        public int IndexOf(T item)
        {
            EqualityComparer<T> eq = EqualityComparer<T>.Default;
            for (int i = 0; i < size; i++) if (eq.Equals(items[i], item)) return i;
            return -1;
        }

        public bool Contains(T item) { return IndexOf(item) >= 0; }

        public bool Remove(T item)
        {
            int i = IndexOf(item);
            if (i < 0) return false;
            RemoveAt(i);
            return true;
        }

        public void RemoveAt(int index)
        {
            if ((uint)index >= (uint)size) throw new ArgumentOutOfRangeException("index");
            size--;
            for (int i = index; i < size; i++) items[i] = items[i + 1];
            items[size] = default(T);
            version++;
        }

        public int RemoveAll(Predicate<T> match)
        {
            int kept = 0;
            for (int i = 0; i < size; i++) if (!match(items[i])) items[kept++] = items[i];
            int removed = size - kept;
            for (int i = kept; i < size; i++) items[i] = default(T);
            size = kept;
            version++;
            return removed;
        }

        public void RemoveRange(int index, int count)
        {
            if (index < 0 || count < 0 || index + count > size) throw new ArgumentOutOfRangeException("index");
            for (int i = index; i + count < size; i++) items[i] = items[i + count];
            for (int i = size - count; i < size; i++) items[i] = default(T);
            size -= count;
            version++;
        }

        public void Clear()
        {
            for (int i = 0; i < size; i++) items[i] = default(T);
            size = 0;
            version++;
        }

        public T Find(Predicate<T> match)
        {
            for (int i = 0; i < size; i++) if (match(items[i])) return items[i];
            return default(T);
        }

        public int FindIndex(Predicate<T> match)
        {
            for (int i = 0; i < size; i++) if (match(items[i])) return i;
            return -1;
        }

        public List<T> FindAll(Predicate<T> match)
        {
            var found = new List<T>();
            for (int i = 0; i < size; i++) if (match(items[i])) found.Add(items[i]);
            return found;
        }

        public bool Exists(Predicate<T> match) { return FindIndex(match) >= 0; }

        public void ForEach(Action<T> action)
        {
            for (int i = 0; i < size; i++) action(items[i]);
        }

        public void Sort() { Array.Sort(items, 0, size, Comparer<T>.Default); version++; }
        public void Sort(Comparison<T> comparison) { Array.Sort(items, 0, size, new ComparisonComparer<T>(comparison)); version++; }
        public void Sort(IComparer<T> comparer) { Array.Sort(items, 0, size, comparer); version++; }

        public void Reverse()
        {
            for (int i = 0, j = size - 1; i < j; i++, j--)
            {
                T t = items[i];
                items[i] = items[j];
                items[j] = t;
            }
            version++;
        }

        public T[] ToArray()
        {
            T[] a = new T[size];
            Array.Copy(items, a, size);
            return a;
        }

        public void CopyTo(T[] array, int arrayIndex) { Array.Copy(items, 0, array, arrayIndex, size); }

        public List<T> GetRange(int index, int count)
        {
            if (index < 0 || count < 0 || index + count > size) throw new ArgumentOutOfRangeException("index");
            var range = new List<T>(count);
            for (int i = 0; i < count; i++) range.Add(items[index + i]);
            return range;
        }

        public Enumerator GetEnumerator() { return new Enumerator(this); }
        IEnumerator<T> IEnumerable<T>.GetEnumerator() { return new Enumerator(this); }
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() { return new Enumerator(this); }

        public struct Enumerator : IEnumerator<T>
        {
            readonly List<T> list;
            readonly int version;
            int index;
            T current;

            internal Enumerator(List<T> list)
            {
                this.list = list;
                version = list.version;
                index = 0;
                current = default(T);
            }

            public bool MoveNext()
            {
                if (version != list.version) throw new InvalidOperationException("Collection was modified; enumeration operation may not execute.");
                if (index < list.size)
                {
                    current = list.items[index++];
                    return true;
                }
                current = default(T);
                return false;
            }

            public T Current { get { return current; } }
            object System.Collections.IEnumerator.Current { get { return current; } }
            public void Reset() { index = 0; current = default(T); }
            public void Dispose() { }
        }
    }
}
