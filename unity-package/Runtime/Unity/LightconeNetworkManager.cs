// The Unity glue: one MonoBehaviour that owns a connection, ticks it every frame (it cannot
// be forgotten), keeps the identity's token in PlayerPrefs per server and database,
// disconnects on quit, and logs through Debug. Everything else lives in Lightcone.Core,
// which does not reference UnityEngine.
using System;
using UnityEngine;

namespace Lightcone.Unity
{
    [DisallowMultipleComponent]
    public sealed class LightconeNetworkManager : MonoBehaviour
    {
        [SerializeField] string serverUri = "http://127.0.0.1:3000";
        [SerializeField] string database = "chat";
        [Tooltip("Keep the identity's token in PlayerPrefs and connect as it again next time.")]
        [SerializeField] bool rememberIdentity = true;
        [SerializeField] bool dontDestroyOnLoad = true;

        /// The live manager (one per play session).
        public static LightconeNetworkManager Instance { get; private set; }

        /// The connection, once `Connect` ran.
        public Connection Connection { get; private set; }

        public string ServerUri { get { return serverUri; } set { serverUri = value; } }
        public string Database { get { return database; } set { database = value; } }

        // Statics survive Enter Play Mode when domain reload is off: reset them explicitly.
        [RuntimeInitializeOnLoadMethod(RuntimeInitializeLoadType.SubsystemRegistration)]
        static void ResetStatics()
        {
            Instance = null;
        }

        string TokenKey { get { return "lightcone.token." + serverUri + "/" + database; } }

        void Awake()
        {
            if (Instance != null && Instance != this)
            {
                Debug.LogWarning("Lightcone: a second LightconeNetworkManager was destroyed; one per game.");
                Destroy(gameObject);
                return;
            }
            Instance = this;
            if (dontDestroyOnLoad) DontDestroyOnLoad(gameObject);
        }

        /// Connects with `build` making the connection from the configured builder; for
        /// generated code: `manager.Connect(b => (db = new DbConnection(b)).Connection)`.
        public Connection Connect(Func<ConnectionBuilder, Connection> build)
        {
            if (Connection != null) throw new InvalidOperationException("already connected; Disconnect first");
            var builder = Connection.Builder().WithUri(serverUri).WithDatabase(database);
            if (rememberIdentity && PlayerPrefs.HasKey(TokenKey)) builder.WithToken(PlayerPrefs.GetString(TokenKey));
            var connection = build(builder);
            connection.OnConnected += (identity, token) =>
            {
                Debug.Log("Lightcone: connected to " + database + " as " + identity);
                if (rememberIdentity)
                {
                    PlayerPrefs.SetString(TokenKey, token);
                    PlayerPrefs.Save();
                }
            };
            connection.OnReconnected += identity => Debug.Log("Lightcone: reconnected to " + database);
            connection.OnConnectionLost += reason => Debug.LogWarning("Lightcone: connection lost: " + reason);
            connection.OnReconnecting += (attempt, delayMs) => Debug.Log("Lightcone: reconnecting (attempt " + attempt + ", in " + delayMs + " ms)");
            connection.OnGaveUp += reason => Debug.LogError("Lightcone: gave up reconnecting: " + reason);
            connection.OnDisconnected += reason => Debug.Log("Lightcone: disconnected: " + reason);
            connection.OnHandlerError += e => Debug.LogException(e);
            Connection = connection;
            return connection;
        }

        void Update()
        {
            if (Connection != null) Connection.FrameTick();
        }

        /// Closes the connection and frees it.
        public void Disconnect()
        {
            if (Connection == null) return;
            Connection.Disconnect();
            Connection.Dispose();
            Connection = null;
        }

        void OnApplicationQuit() { Disconnect(); }

        void OnDestroy()
        {
            Disconnect();
            if (Instance == this) Instance = null;
        }
    }
}
