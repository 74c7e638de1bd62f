// What a reducer is called with: the database (`Db`, generated per module), who called, when.
using System;

namespace SpacetimeDB
{
    /// The module's tables: the build generates a property per table (`ctx.Db.accounts`).
    public sealed partial class Local { }

    public sealed class ReducerContext
    {
        public readonly Local Db = new Local();
        public readonly Identity Sender;
        public readonly ConnectionId? ConnectionId;
        public readonly Timestamp Timestamp;

        internal ReducerContext(ulong s0, ulong s1, ulong s2, ulong s3, ulong c0, ulong c1, long micros)
        {
            Sender = new Identity(s0, s1, s2, s3);
            if (c0 != 0 || c1 != 0) ConnectionId = new ConnectionId(c0, c1);
            Timestamp = new Timestamp(micros);
        }

        Random rng;

        /// Random numbers, seeded from the call's timestamp (each call its own sequence, the
        /// same on every replay of the same call).
        public Random Rng
        {
            get
            {
                if (rng == null) rng = new Random((int)(Timestamp.MicrosecondsSinceUnixEpoch ^ (Timestamp.MicrosecondsSinceUnixEpoch >> 32)));
                return rng;
            }
        }

        /// The database's own identity.
        public Identity DatabaseIdentity { get { return Internal.Host.DatabaseIdentity(); } }
    }

    /// Lines in the module's log (`lightcone logs`).
    public static class Log
    {
        public static void Trace(string message) { Internal.Host.Log(4, message); }
        public static void Debug(string message) { Internal.Host.Log(3, message); }
        public static void Info(string message) { Internal.Host.Log(2, message); }
        public static void Warn(string message) { Internal.Host.Log(1, message); }
        public static void Error(string message) { Internal.Host.Log(0, message); }
        public static void Exception(Exception e) { Internal.Host.Log(0, e.Message); }
    }
}
