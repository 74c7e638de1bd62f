// SpacetimeDB's special types, laid out as their BSATN: Identity (a u256), ConnectionId (a
// u128), Timestamp and TimeDuration (microseconds, i64).
using System;

namespace SpacetimeDB
{
    public struct Identity : IEquatable<Identity>
    {
        // Little-endian 64-bit words of the 256-bit number.
        internal ulong w0, w1, w2, w3;

        internal Identity(ulong w0, ulong w1, ulong w2, ulong w3) { this.w0 = w0; this.w1 = w1; this.w2 = w2; this.w3 = w3; }

        public bool Equals(Identity other) { return w0 == other.w0 && w1 == other.w1 && w2 == other.w2 && w3 == other.w3; }
        public override bool Equals(object obj) { return obj is Identity && Equals((Identity)obj); }
        public override int GetHashCode() { return (int)(w0 ^ (w0 >> 32) ^ w1 ^ w2 ^ w3); }
        public static bool operator ==(Identity a, Identity b) { return a.Equals(b); }
        public static bool operator !=(Identity a, Identity b) { return !a.Equals(b); }

        /// 64 hex digits, most significant first (as the CLI and the server print it).
        public override string ToString()
        {
            return string.Concat(Hex(w3), Hex(w2), Hex(w1), Hex(w0));
        }

        internal static string Hex(ulong w) { return w.ToString("x16"); }
    }

    public struct ConnectionId : IEquatable<ConnectionId>
    {
        internal ulong w0, w1;

        internal ConnectionId(ulong w0, ulong w1) { this.w0 = w0; this.w1 = w1; }

        public bool Equals(ConnectionId other) { return w0 == other.w0 && w1 == other.w1; }
        public override bool Equals(object obj) { return obj is ConnectionId && Equals((ConnectionId)obj); }
        public override int GetHashCode() { return (int)(w0 ^ w1); }
        public override string ToString() { return string.Concat(Identity.Hex(w1), Identity.Hex(w0)); }
    }

    public struct TimeDuration
    {
        public long Microseconds;

        public TimeDuration(long microseconds) { Microseconds = microseconds; }
        public static TimeDuration FromMilliseconds(long ms) { return new TimeDuration(ms * 1000); }
        public static TimeDuration FromSeconds(long s) { return new TimeDuration(s * 1000000); }
        public override string ToString() { return Microseconds.ToString() + "us"; }
    }

    public struct Timestamp : IComparable<Timestamp>
    {
        public long MicrosecondsSinceUnixEpoch;

        public Timestamp(long micros) { MicrosecondsSinceUnixEpoch = micros; }
        public static Timestamp operator +(Timestamp t, TimeDuration d) { return new Timestamp(t.MicrosecondsSinceUnixEpoch + d.Microseconds); }
        public static TimeDuration operator -(Timestamp a, Timestamp b) { return new TimeDuration(a.MicrosecondsSinceUnixEpoch - b.MicrosecondsSinceUnixEpoch); }
        public int CompareTo(Timestamp other) { return MicrosecondsSinceUnixEpoch.CompareTo(other.MicrosecondsSinceUnixEpoch); }
        public override string ToString() { return MicrosecondsSinceUnixEpoch.ToString(); }
    }
}

namespace SpacetimeDB
{
    /// When a scheduled table's row runs its reducer: after an interval, repeating
    /// (`ScheduleAt.Interval`), or once at a time (`ScheduleAt.Time`). BSATN: the variant's
    /// u8 tag, then its i64 microseconds.
    public struct ScheduleAt
    {
        internal byte tag;
        internal long micros;

        public static ScheduleAt Interval(TimeDuration every) { return new ScheduleAt { tag = 0, micros = every.Microseconds }; }
        public static ScheduleAt Time(Timestamp at) { return new ScheduleAt { tag = 1, micros = at.MicrosecondsSinceUnixEpoch }; }
        public bool IsInterval { get { return tag == 0; } }
        public override string ToString() { return tag == 0 ? "Interval(" + micros + "us)" : "Time(" + micros + ")"; }
    }
}
