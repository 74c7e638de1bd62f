// Dictionary<TKey, TValue> and HashSet<T>: open hashing with chains through an entries array;
// enumeration follows insertion order while nothing is removed (as .NET's does).

namespace System.Collections.Generic
{
    public class Dictionary<TKey, TValue> : IDictionary<TKey, TValue>, IReadOnlyDictionary<TKey, TValue>
    {
        struct Entry
        {
            public int hash;
            public int next;
            public TKey key;
            public TValue value;
        }

        int[] buckets;
        Entry[] entries;
        int count;
        int freeList = -1;
        int freeCount;
        int version;
        readonly IEqualityComparer<TKey> comparer;
        // Whether keys and values are references (null is their default): only then can a store
        // leave a dictionary that lives for ever pointing at an object the call's arena frees.
        static readonly bool keysAreObjects = default(TKey) == null;
        static readonly bool valuesAreObjects = default(TValue) == null;

        public Dictionary() : this(0, null) { }
        public Dictionary(int capacity) : this(capacity, null) { }
        public Dictionary(IEqualityComparer<TKey> comparer) : this(0, comparer) { }
        public Dictionary(int capacity, IEqualityComparer<TKey> comparer)
        {
            this.comparer = comparer ?? EqualityComparer<TKey>.Default;
            int size = capacity < 3 ? 3 : capacity;
            buckets = new int[size];
            for (int i = 0; i < size; i++) buckets[i] = -1;
            entries = new Entry[size];
        }

        public int Count { get { return count - freeCount; } }
        public bool IsReadOnly { get { return false; } }

        int Find(TKey key)
        {
            if (key == null) throw new ArgumentNullException("key");
            int hash = comparer.GetHashCode(key) & 0x7FFFFFFF;
            for (int i = buckets[hash % buckets.Length]; i >= 0; i = entries[i].next)
                if (entries[i].hash == hash && comparer.Equals(entries[i].key, key)) return i;
            return -1;
        }

        public TValue this[TKey key]
        {
            get
            {
                int i = Find(key);
                if (i < 0) throw new KeyNotFoundException(string.Concat("The given key '", key.ToString(), "' was not present in the dictionary."));
                return entries[i].value;
            }
            set { Insert(key, value, false); }
        }

        public void Add(TKey key, TValue value) { Insert(key, value, true); }
        public void Add(KeyValuePair<TKey, TValue> pair) { Insert(pair.Key, pair.Value, true); }

        void Insert(TKey key, TValue value, bool add)
        {
            // The stores below go through the address of an entry inside the array, where the
            // translator's store check cannot see whose array it is: checked here, before
            // anything changes (a failed store fails the call and leaves the dictionary as it was).
            if (keysAreObjects) System.Runtime.CompilerServices.RuntimeHelpers.CheckStore(this, key);
            if (valuesAreObjects) System.Runtime.CompilerServices.RuntimeHelpers.CheckStore(this, value);
            int found = Find(key);
            if (found >= 0)
            {
                if (add) throw new ArgumentException(string.Concat("An item with the same key has already been added. Key: ", key.ToString()));
                entries[found].value = value;
                version++;
                return;
            }
            int hash = comparer.GetHashCode(key) & 0x7FFFFFFF;
            int index;
            if (freeCount > 0)
            {
                index = freeList;
                freeList = entries[index].next;
                freeCount--;
            }
            else
            {
                if (count == entries.Length) Resize();
                index = count++;
            }
            int bucket = hash % buckets.Length;
            entries[index].hash = hash;
            entries[index].next = buckets[bucket];
            entries[index].key = key;
            entries[index].value = value;
            buckets[bucket] = index;
            version++;
        }

        void Resize()
        {
            int size = entries.Length * 2 + 1;
            Entry[] grown = new Entry[size];
            Array.Copy(entries, grown, count);
            int[] newBuckets = new int[size];
            for (int i = 0; i < size; i++) newBuckets[i] = -1;
            for (int i = 0; i < count; i++)
            {
                if (grown[i].hash < 0) continue;
                int bucket = grown[i].hash % size;
                grown[i].next = newBuckets[bucket];
                newBuckets[bucket] = i;
            }
            buckets = newBuckets;
            entries = grown;
        }

        public bool ContainsKey(TKey key) { return Find(key) >= 0; }

        public bool ContainsValue(TValue value)
        {
            EqualityComparer<TValue> eq = EqualityComparer<TValue>.Default;
            for (int i = 0; i < count; i++) if (entries[i].hash >= 0 && eq.Equals(entries[i].value, value)) return true;
            return false;
        }

        public bool TryGetValue(TKey key, out TValue value)
        {
            int i = Find(key);
            if (i < 0)
            {
                value = default(TValue);
                return false;
            }
            value = entries[i].value;
            return true;
        }

        public bool Remove(TKey key)
        {
            if (key == null) throw new ArgumentNullException("key");
            int hash = comparer.GetHashCode(key) & 0x7FFFFFFF;
            int bucket = hash % buckets.Length;
            int last = -1;
            for (int i = buckets[bucket]; i >= 0; last = i, i = entries[i].next)
            {
                if (entries[i].hash != hash || !comparer.Equals(entries[i].key, key)) continue;
                if (last < 0) buckets[bucket] = entries[i].next;
                else entries[last].next = entries[i].next;
                entries[i].hash = -1;
                entries[i].next = freeList;
                entries[i].key = default(TKey);
                entries[i].value = default(TValue);
                freeList = i;
                freeCount++;
                version++;
                return true;
            }
            return false;
        }

        public bool Remove(KeyValuePair<TKey, TValue> pair) { return Remove(pair.Key); }
        public bool Contains(KeyValuePair<TKey, TValue> pair) { return ContainsKey(pair.Key); }

        public void Clear()
        {
            for (int i = 0; i < buckets.Length; i++) buckets[i] = -1;
            for (int i = 0; i < count; i++) entries[i] = default(Entry);
            count = 0;
            freeList = -1;
            freeCount = 0;
            version++;
        }

        public void CopyTo(KeyValuePair<TKey, TValue>[] array, int index)
        {
            foreach (KeyValuePair<TKey, TValue> pair in this) array[index++] = pair;
        }

        public IEnumerable<TKey> Keys
        {
            get
            {
                for (int i = 0; i < count; i++) if (entries[i].hash >= 0) yield return entries[i].key;
            }
        }

        public IEnumerable<TValue> Values
        {
            get
            {
                for (int i = 0; i < count; i++) if (entries[i].hash >= 0) yield return entries[i].value;
            }
        }

        public Enumerator GetEnumerator() { return new Enumerator(this); }
        IEnumerator<KeyValuePair<TKey, TValue>> IEnumerable<KeyValuePair<TKey, TValue>>.GetEnumerator() { return new Enumerator(this); }
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() { return new Enumerator(this); }

        public struct Enumerator : IEnumerator<KeyValuePair<TKey, TValue>>
        {
            readonly Dictionary<TKey, TValue> dictionary;
            readonly int version;
            int index;
            KeyValuePair<TKey, TValue> current;

            internal Enumerator(Dictionary<TKey, TValue> dictionary)
            {
                this.dictionary = dictionary;
                version = dictionary.version;
                index = 0;
                current = default(KeyValuePair<TKey, TValue>);
            }

            public bool MoveNext()
            {
                if (version != dictionary.version) throw new InvalidOperationException("Collection was modified; enumeration operation may not execute.");
                while (index < dictionary.count)
                {
                    int i = index++;
                    if (dictionary.entries[i].hash >= 0)
                    {
                        current = new KeyValuePair<TKey, TValue>(dictionary.entries[i].key, dictionary.entries[i].value);
                        return true;
                    }
                }
                return false;
            }

            public KeyValuePair<TKey, TValue> Current { get { return current; } }
            object System.Collections.IEnumerator.Current { get { return current; } }
            public void Reset() { index = 0; }
            public void Dispose() { }
        }
    }

    public class HashSet<T> : ISet<T>
    {
        readonly Dictionary<T, bool> items;

        public HashSet() { items = new Dictionary<T, bool>(); }
        public HashSet(IEqualityComparer<T> comparer) { items = new Dictionary<T, bool>(comparer); }
        public HashSet(IEnumerable<T> collection) : this() { foreach (T item in collection) Add(item); }

        public int Count { get { return items.Count; } }
        public bool IsReadOnly { get { return false; } }

        public bool Add(T item)
        {
            if (items.ContainsKey(item)) return false;
            items.Add(item, true);
            return true;
        }

        void ICollection<T>.Add(T item) { Add(item); }
        public bool Contains(T item) { return items.ContainsKey(item); }
        public bool Remove(T item) { return items.Remove(item); }
        public void Clear() { items.Clear(); }

        public void UnionWith(IEnumerable<T> other) { foreach (T item in other) Add(item); }

        public void IntersectWith(IEnumerable<T> other)
        {
            var keep = new HashSet<T>(other);
            var drop = new List<T>();
            foreach (T item in this) if (!keep.Contains(item)) drop.Add(item);
            foreach (T item in drop) Remove(item);
        }

        public void ExceptWith(IEnumerable<T> other) { foreach (T item in other) Remove(item); }

        public void CopyTo(T[] array, int index) { foreach (T item in this) array[index++] = item; }

        public IEnumerator<T> GetEnumerator()
        {
            foreach (KeyValuePair<T, bool> pair in items) yield return pair.Key;
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() { return GetEnumerator(); }
    }
}
