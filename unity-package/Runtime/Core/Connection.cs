// A connection to one database: the native client (liblightcone, through the csbindgen
// declarations) plus the typed tables it feeds. Everything happens in FrameTick, on the
// thread that calls it: the native core applies what arrived, and this class raises the
// tick's events in the core's order (connection state, before-deletes, row changes, then
// subscription and call results). Row bytes are read straight from the native batch.
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Text;
using Lightcone.Native;
using static Lightcone.Native.LightconeConstants;

namespace Lightcone
{
    /// A native call refused (a bug in the caller, or a closed connection).
    public sealed class LightconeException : Exception
    {
        public readonly int Code;
        public LightconeException(int code, string message) : base(message + " (code " + code + ")") { Code = code; }
    }

    public enum ConnectionState { Connecting = 0, Connected = 1, Reconnecting = 2, Closed = 3 }

    public enum CallStatus : uint
    {
        Committed = LC_CALL_COMMITTED,
        Failed = LC_CALL_FAILED,
        OutOfEnergy = LC_CALL_OUT_OF_ENERGY,
        InternalError = LC_CALL_INTERNAL_ERROR,
        ConnectionLost = LC_CALL_CONNECTION_LOST,
    }

    /// How a reducer or procedure call ended. `Error` is set unless it committed; a
    /// procedure's `ReturnValue` is its BSATN result.
    public struct CallResult
    {
        public uint RequestId;
        public CallStatus Status;
        public string Error;
        public byte[] ReturnValue;
        public bool Committed { get { return Status == CallStatus.Committed; } }
    }

    /// How to connect; `Build` starts connecting and returns at once.
    public sealed class ConnectionBuilder
    {
        string uri = "http://127.0.0.1:3000", database, token;
        uint compression, protocol = 3, confirmed = 1;
        uint? backoffFirstMs, backoffMaxMs, maxAttempts;
        readonly List<TableBase> tables = new List<TableBase>();

        public ConnectionBuilder WithUri(string value) { uri = value; return this; }
        public ConnectionBuilder WithDatabase(string nameOrIdentity) { database = nameOrIdentity; return this; }
        /// The token a previous OnConnected handed over (null: a new identity).
        public ConnectionBuilder WithToken(string value) { token = value; return this; }
        /// 0 none, 1 gzip, 2 brotli.
        public ConnectionBuilder WithCompression(uint value) { compression = value; return this; }
        public ConnectionBuilder WithConfirmedReads(bool value) { confirmed = value ? 1u : 0u; return this; }
        /// 3 (default, with 2 as fallback) or 2.
        public ConnectionBuilder WithProtocol(uint value) { protocol = value; return this; }
        public ConnectionBuilder WithReconnect(uint firstDelayMs, uint maxDelayMs, uint attempts)
        {
            backoffFirstMs = firstDelayMs; backoffMaxMs = maxDelayMs; maxAttempts = attempts;
            return this;
        }
        /// A table this connection keeps (generated code adds every table of the module).
        public ConnectionBuilder WithTable(TableBase table) { tables.Add(table); return this; }

        public unsafe Connection Build()
        {
            if (database == null) throw new ArgumentException("WithDatabase is required");
            LcOptions options;
            Connection.Check(LightconeNative.lc_options_default(&options));
            options.compression = compression;
            options.protocol = protocol;
            options.confirmed = confirmed;
            if (backoffFirstMs.HasValue)
            {
                options.backoff_first_ms = backoffFirstMs.Value;
                options.backoff_max_ms = backoffMaxMs.Value;
                options.max_attempts = maxAttempts.Value;
            }
            ulong handle;
            byte[] u = Connection.Utf8z(uri), d = Connection.Utf8z(database), t = token == null ? null : Connection.Utf8z(token);
            fixed (byte* up = u)
            fixed (byte* dp = d)
            fixed (byte* tp = t)
            {
                options.token = tp;
                Connection.Check(LightconeNative.lc_connect(up, dp, &options, &handle));
            }
            return new Connection(handle, tables.ToArray());
        }
    }

    /// One query set; its events say when it is applied or failed.
    public sealed class Subscription
    {
        public uint Id { get; internal set; }
        public bool Applied { get; internal set; }
        public bool Ended { get; internal set; }
        public string Error { get; internal set; }
        public event Action<Subscription> OnApplied;
        public event Action<Subscription, string> OnError;
        public event Action<Subscription> OnEnded;

        internal void RaiseApplied() { Applied = true; var h = OnApplied; if (h != null) h(this); }
        internal void RaiseError(string e) { Error = e; Ended = true; var h = OnError; if (h != null) h(this, e); }
        internal void RaiseEnded() { Ended = true; var h = OnEnded; if (h != null) h(this); }
    }

    public sealed unsafe class Connection : IDisposable
    {
        ulong handle;
        readonly TableBase[] tables;
        TableBase[] byNativeIndex = new TableBase[0];
        readonly Dictionary<uint, Subscription> subscriptions = new Dictionary<uint, Subscription>();
        readonly Dictionary<uint, Action<CallResult>> calls = new Dictionary<uint, Action<CallResult>>();
        readonly Dictionary<string, byte[]> names = new Dictionary<string, byte[]>();

        /// Connected: the identity, and the token to connect as it again (store it).
        public event Action<Identity, string> OnConnected;
        /// Connected again after a loss; this tick's row events are what changed meanwhile.
        public event Action<Identity> OnReconnected;
        public event Action<string> OnConnectionLost;
        /// Trying again: the attempt (from 1) and the delay before it, ms.
        public event Action<uint, uint> OnReconnecting;
        /// No more attempts: the connection is closed.
        public event Action<string> OnGaveUp;
        public event Action<string> OnDisconnected;
        /// Every reducer and procedure result (a call's own callback also gets its own).
        public event Action<CallResult> OnCallResult;
        /// An exception thrown by a handler during FrameTick (the tick carries on).
        public event Action<Exception> OnHandlerError;

        public ConnectionState State { get; private set; }
        public Identity Identity { get; private set; }
        public string Token { get; private set; }

        internal Connection(ulong handle, TableBase[] tables)
        {
            this.handle = handle;
            this.tables = tables;
            State = ConnectionState.Connecting;
        }

        public static ConnectionBuilder Builder() { return new ConnectionBuilder(); }

        internal static void Check(int rc)
        {
            if (rc < 0) throw new LightconeException(rc, LastError());
        }

        internal static string LastError()
        {
            byte* p = LightconeNative.lc_last_error();
            int n = 0;
            while (p[n] != 0) n++;
            return Encoding.UTF8.GetString(p, n);
        }

        internal static byte[] Utf8z(string s)
        {
            var bytes = new byte[Encoding.UTF8.GetByteCount(s) + 1];
            Encoding.UTF8.GetBytes(s, 0, s.Length, bytes, 0);
            return bytes;
        }

        /// A name as NUL-terminated UTF-8, kept (reducer names are few; calls allocate nothing).
        byte[] Name(string s)
        {
            byte[] bytes;
            if (!names.TryGetValue(s, out bytes)) names.Add(s, bytes = Utf8z(s));
            return bytes;
        }

        ulong Handle
        {
            get
            {
                if (handle == 0) throw new ObjectDisposedException("Connection");
                return handle;
            }
        }

        /// Applies what arrived and raises this tick's events. Call it every frame.
        public void FrameTick()
        {
            LcBatch batch;
            Check(LightconeNative.lc_frame_tick(Handle, &batch));
            Dispatch(batch);
        }

        /// FrameTick that first waits up to `timeoutMs` for something to arrive (bots, servers).
        public void WaitTick(uint timeoutMs)
        {
            LcBatch batch;
            Check(LightconeNative.lc_wait_tick(Handle, timeoutMs, &batch));
            Dispatch(batch);
        }

        void Dispatch(LcBatch batch)
        {
            for (uint i = 0; i < batch.count; i++)
            {
                LcEvent* e = &batch.events[i];
                try
                {
                    Raise(e, batch.data);
                }
                catch (Exception ex)
                {
                    var h = OnHandlerError;
                    if (h == null) throw;
                    h(ex);
                }
            }
        }

        static string Text(byte* data, uint offset, uint length)
        {
            return length == 0 ? string.Empty : Encoding.UTF8.GetString(data + offset, (int)length);
        }

        static byte[] Bytes(byte* data, uint offset, uint length)
        {
            var bytes = new byte[length];
            for (uint i = 0; i < length; i++) bytes[i] = data[offset + i];
            return bytes;
        }

        void Raise(LcEvent* e, byte* data)
        {
            switch (e->kind)
            {
                case LC_EVENT_BEFORE_DELETE:
                case LC_EVENT_DELETE:
                case LC_EVENT_INSERT:
                case LC_EVENT_UPDATE:
                case LC_EVENT_EVENT_ROW:
                {
                    if (e->table < (uint)byNativeIndex.Length)
                    {
                        var table = byNativeIndex[e->table];
                        if (table != null) table.ApplyRow(e->kind, data + e->a_offset, e->a_len, data + e->b_offset, e->b_len);
                    }
                    break;
                }
                case LC_EVENT_CONNECTED:
                case LC_EVENT_RECONNECTED:
                {
                    var reader = new BsatnReader(data + e->a_offset, (int)e->a_len);
                    Identity = Identity.Read(ref reader);
                    Token = Text(data, e->b_offset, e->b_len);
                    State = ConnectionState.Connected;
                    ResolveTables();
                    if (e->kind == LC_EVENT_CONNECTED) { var h = OnConnected; if (h != null) h(Identity, Token); }
                    else { var h = OnReconnected; if (h != null) h(Identity); }
                    break;
                }
                case LC_EVENT_CONNECTION_LOST:
                { State = ConnectionState.Reconnecting; var h = OnConnectionLost; if (h != null) h(Text(data, e->a_offset, e->a_len)); break; }
                case LC_EVENT_RECONNECTING:
                { State = ConnectionState.Reconnecting; var h = OnReconnecting; if (h != null) h(e->aux, e->id); break; }
                case LC_EVENT_GAVE_UP:
                { State = ConnectionState.Closed; var h = OnGaveUp; if (h != null) h(Text(data, e->a_offset, e->a_len)); break; }
                case LC_EVENT_DISCONNECTED:
                { State = ConnectionState.Closed; var h = OnDisconnected; if (h != null) h(Text(data, e->a_offset, e->a_len)); break; }
                case LC_EVENT_SUBSCRIBE_APPLIED:
                { Subscription s; if (subscriptions.TryGetValue(e->id, out s)) s.RaiseApplied(); break; }
                case LC_EVENT_SUBSCRIPTION_ERROR:
                {
                    Subscription s;
                    if (subscriptions.TryGetValue(e->id, out s)) { subscriptions.Remove(e->id); s.RaiseError(Text(data, e->a_offset, e->a_len)); }
                    break;
                }
                case LC_EVENT_UNSUBSCRIBE_APPLIED:
                {
                    Subscription s;
                    if (subscriptions.TryGetValue(e->id, out s)) { subscriptions.Remove(e->id); s.RaiseEnded(); }
                    break;
                }
                case LC_EVENT_REDUCER_RESULT:
                case LC_EVENT_PROCEDURE_RESULT:
                {
                    var result = new CallResult { RequestId = e->id, Status = (CallStatus)e->aux };
                    if (result.Committed) result.ReturnValue = Bytes(data, e->a_offset, e->a_len);
                    else result.Error = Text(data, e->a_offset, e->a_len);
                    Action<CallResult> callback;
                    if (calls.TryGetValue(e->id, out callback)) { calls.Remove(e->id); if (callback != null) callback(result); }
                    var h = OnCallResult;
                    if (h != null) h(result);
                    break;
                }
            }
        }

        /// Finds each table's index in the native schema (known from the first Connected).
        void ResolveTables()
        {
            uint n;
            Check(LightconeNative.lc_table_count(handle, &n));
            if (byNativeIndex.Length == n) return;
            byNativeIndex = new TableBase[n];
            foreach (var t in tables)
            {
                uint index;
                fixed (byte* name = Utf8z(t.Name))
                    if (LightconeNative.lc_table_index(handle, name, &index) != LC_OK) continue;
                t.NativeIndex = index;
                byNativeIndex[index] = t;
            }
        }

        /// Subscribes to `queries` as one query set.
        public Subscription Subscribe(params string[] queries)
        {
            uint set;
            using (var q = new PinnedTexts(queries))
                Check(LightconeNative.lc_subscribe(Handle, q.Pointers, (uint)queries.Length, &set));
            var s = new Subscription { Id = set };
            subscriptions.Add(set, s);
            return s;
        }

        /// Replaces `old` by a set of `queries`; the tick it lands in shows only rows leaving and entering.
        public Subscription Swap(Subscription old, params string[] queries)
        {
            uint set;
            using (var q = new PinnedTexts(queries))
                Check(LightconeNative.lc_swap(Handle, old.Id, q.Pointers, (uint)queries.Length, &set));
            subscriptions.Remove(old.Id);
            old.Ended = true;
            var s = new Subscription { Id = set };
            subscriptions.Add(set, s);
            return s;
        }

        public void Unsubscribe(Subscription s)
        {
            Check(LightconeNative.lc_unsubscribe(Handle, s.Id));
        }

        /// Texts as NUL-terminated UTF-8, pinned, with an array of pointers to them.
        struct PinnedTexts : IDisposable
        {
            readonly GCHandle[] handles;
            GCHandle array;
            public readonly byte** Pointers;

            public PinnedTexts(string[] texts)
            {
                handles = new GCHandle[texts.Length];
                var pointers = new IntPtr[texts.Length];
                for (int i = 0; i < texts.Length; i++)
                {
                    handles[i] = GCHandle.Alloc(Utf8z(texts[i]), GCHandleType.Pinned);
                    pointers[i] = handles[i].AddrOfPinnedObject();
                }
                array = GCHandle.Alloc(pointers, GCHandleType.Pinned);
                Pointers = (byte**)array.AddrOfPinnedObject();
            }

            public void Dispose()
            {
                foreach (var h in handles) if (h.IsAllocated) h.Free();
                if (array.IsAllocated) array.Free();
            }
        }

        /// Calls reducer `name` with the arguments in `args` (BSATN); `onResult` gets its result.
        public uint CallReducer(string name, BsatnWriter args, Action<CallResult> onResult = null)
        {
            uint request;
            fixed (byte* n = Name(name))
            fixed (byte* a = args.Buffer)
                Check(LightconeNative.lc_call_reducer(Handle, n, a, (uint)args.Length, &request));
            calls[request] = onResult;
            return request;
        }

        public uint CallProcedure(string name, BsatnWriter args, Action<CallResult> onResult = null)
        {
            uint request;
            fixed (byte* n = Name(name))
            fixed (byte* a = args.Buffer)
                Check(LightconeNative.lc_call_procedure(Handle, n, a, (uint)args.Length, &request));
            calls[request] = onResult;
            return request;
        }

        /// Predicts that call `request` makes `row` (BSATN in `row`) the row of `table` with its key.
        public void PredictRow(uint request, TableBase table, BsatnWriter row)
        {
            fixed (byte* r = row.Buffer)
                Check(LightconeNative.lc_predict_row(Handle, request, table.NativeIndex, r, (uint)row.Length));
        }

        /// Closes the connection (OnDisconnected follows at a tick); tables stay readable.
        public void Disconnect()
        {
            if (handle != 0) Check(LightconeNative.lc_disconnect(handle));
        }

        public void Dispose()
        {
            if (handle != 0) LightconeNative.lc_client_free(handle);
            handle = 0;
            State = ConnectionState.Closed;
        }
    }
}
