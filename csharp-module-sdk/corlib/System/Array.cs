// Arrays: single-dimension, zero-based. Element access and length are IL instructions the
// translator emits directly; these are the helpers.
using System.Runtime.CompilerServices;

namespace System
{
    public abstract class Array
    {
        public extern int Length
        {
            [MethodImpl(MethodImplOptions.InternalCall)]
            get;
        }

        public int Rank { get { return 1; } }

        /// Copies `length` elements (the arrays must have the same element type).
        [MethodImpl(MethodImplOptions.InternalCall)]
        static extern void InternalCopy(Array source, int sourceIndex, Array destination, int destinationIndex, int length);

        public static void Copy(Array source, Array destination, int length) { Copy(source, 0, destination, 0, length); }

        public static void Copy(Array source, int sourceIndex, Array destination, int destinationIndex, int length)
        {
            if (source == null) throw new ArgumentNullException("sourceArray");
            if (destination == null) throw new ArgumentNullException("destinationArray");
            if (length < 0 || sourceIndex < 0 || destinationIndex < 0 || sourceIndex + length > source.Length || destinationIndex + length > destination.Length)
                throw new ArgumentException("Destination array was not long enough. Check destIndex and length, and the array's lower bounds");
            InternalCopy(source, sourceIndex, destination, destinationIndex, length);
        }

        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern void Clear(Array array, int index, int length);

        public static void Resize<T>(ref T[] array, int newSize)
        {
            T[] grown = new T[newSize];
            if (array != null) Copy(array, grown, array.Length < newSize ? array.Length : newSize);
            array = grown;
        }

        public static int IndexOf<T>(T[] array, T value)
        {
            for (int i = 0; i < array.Length; i++)
                if (System.Collections.Generic.EqualityComparer<T>.Default.Equals(array[i], value)) return i;
            return -1;
        }

        public static void Reverse<T>(T[] array)
        {
            for (int i = 0, j = array.Length - 1; i < j; i++, j--)
            {
                T t = array[i];
                array[i] = array[j];
                array[j] = t;
            }
        }

        public static void Sort<T>(T[] array) { Sort(array, 0, array.Length, System.Collections.Generic.Comparer<T>.Default); }

        public static void Sort<T>(T[] array, Comparison<T> comparison)
        {
            Sort(array, 0, array.Length, new System.Collections.Generic.ComparisonComparer<T>(comparison));
        }

        /// A stable merge sort (the CLR's introsort is not stable; callers that depend on the
        /// order of equal elements differ from .NET either way).
        internal static void Sort<T>(T[] array, int index, int length, System.Collections.Generic.IComparer<T> comparer)
        {
            if (length < 2) return;
            T[] scratch = new T[length];
            MergeSort(array, scratch, index, index + length, comparer);
        }

        static void MergeSort<T>(T[] a, T[] scratch, int lo, int hi, System.Collections.Generic.IComparer<T> comparer)
        {
            if (hi - lo < 2) return;
            int mid = lo + (hi - lo) / 2;
            MergeSort(a, scratch, lo, mid, comparer);
            MergeSort(a, scratch, mid, hi, comparer);
            int i = lo, j = mid, k = 0;
            while (i < mid && j < hi) scratch[k++] = comparer.Compare(a[j], a[i]) < 0 ? a[j++] : a[i++];
            while (i < mid) scratch[k++] = a[i++];
            while (j < hi) scratch[k++] = a[j++];
            for (int m = 0; m < k; m++) a[lo + m] = scratch[m];
        }

        public static T[] Empty<T>() { return new T[0]; }
    }
}
