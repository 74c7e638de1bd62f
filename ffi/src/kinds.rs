//! The numbers of the event batch: event kinds, the predicted flag, call statuses.

// Event kinds (`LcEvent.kind`), the predicted flag, call statuses (`LcEvent.aux` of a result)
// and the batch version: numbers fixed by docs/formats/event-batch.md.

pub const LC_EVENT_CONNECTED: u16 = 1;
pub const LC_EVENT_RECONNECTED: u16 = 2;
pub const LC_EVENT_CONNECTION_LOST: u16 = 3;
pub const LC_EVENT_RECONNECTING: u16 = 4;
pub const LC_EVENT_GAVE_UP: u16 = 5;
pub const LC_EVENT_DISCONNECTED: u16 = 6;
pub const LC_EVENT_BEFORE_DELETE: u16 = 10;
pub const LC_EVENT_DELETE: u16 = 11;
pub const LC_EVENT_INSERT: u16 = 12;
pub const LC_EVENT_UPDATE: u16 = 13;
pub const LC_EVENT_EVENT_ROW: u16 = 14;
pub const LC_EVENT_SUBSCRIBE_APPLIED: u16 = 20;
pub const LC_EVENT_UNSUBSCRIBE_APPLIED: u16 = 21;
pub const LC_EVENT_SUBSCRIPTION_ERROR: u16 = 22;
pub const LC_EVENT_SWAP_APPLIED: u16 = 23;
pub const LC_EVENT_REDUCER_RESULT: u16 = 30;
pub const LC_EVENT_PROCEDURE_RESULT: u16 = 31;
pub const LC_EVENT_QUERY_ROW: u16 = 32;
pub const LC_EVENT_QUERY_RESULT: u16 = 33;
pub const LC_EVENT_PREDICTION_CONFIRMED: u16 = 40;
pub const LC_EVENT_PREDICTION_ROLLED_BACK: u16 = 41;
pub const LC_FLAG_PREDICTED: u16 = 1;
pub const LC_CALL_COMMITTED: u32 = 0;
pub const LC_CALL_FAILED: u32 = 1;
pub const LC_CALL_OUT_OF_ENERGY: u32 = 2;
pub const LC_CALL_INTERNAL_ERROR: u32 = 3;
pub const LC_CALL_CONNECTION_LOST: u32 = 4;
pub const LC_BATCH_VERSION: u32 = 1;

// The numbers are the client core's.
const _: () = {
    use lightcone_client_core::{self as lc, CallStatus, EventKind};
    assert!(LC_EVENT_CONNECTED == EventKind::Connected as u16);
    assert!(LC_EVENT_RECONNECTED == EventKind::Reconnected as u16);
    assert!(LC_EVENT_CONNECTION_LOST == EventKind::ConnectionLost as u16);
    assert!(LC_EVENT_RECONNECTING == EventKind::Reconnecting as u16);
    assert!(LC_EVENT_GAVE_UP == EventKind::GaveUp as u16);
    assert!(LC_EVENT_DISCONNECTED == EventKind::Disconnected as u16);
    assert!(LC_EVENT_BEFORE_DELETE == EventKind::BeforeDelete as u16);
    assert!(LC_EVENT_DELETE == EventKind::Delete as u16);
    assert!(LC_EVENT_INSERT == EventKind::Insert as u16);
    assert!(LC_EVENT_UPDATE == EventKind::Update as u16);
    assert!(LC_EVENT_EVENT_ROW == EventKind::EventRow as u16);
    assert!(LC_EVENT_SUBSCRIBE_APPLIED == EventKind::SubscribeApplied as u16);
    assert!(LC_EVENT_UNSUBSCRIBE_APPLIED == EventKind::UnsubscribeApplied as u16);
    assert!(LC_EVENT_SUBSCRIPTION_ERROR == EventKind::SubscriptionError as u16);
    assert!(LC_EVENT_SWAP_APPLIED == EventKind::SwapApplied as u16);
    assert!(LC_EVENT_REDUCER_RESULT == EventKind::ReducerResult as u16);
    assert!(LC_EVENT_PROCEDURE_RESULT == EventKind::ProcedureResult as u16);
    assert!(LC_EVENT_QUERY_ROW == EventKind::QueryRow as u16);
    assert!(LC_EVENT_QUERY_RESULT == EventKind::QueryResult as u16);
    assert!(LC_EVENT_PREDICTION_CONFIRMED == EventKind::PredictionConfirmed as u16);
    assert!(LC_EVENT_PREDICTION_ROLLED_BACK == EventKind::PredictionRolledBack as u16);
    assert!(LC_FLAG_PREDICTED == lc::FLAG_PREDICTED);
    assert!(LC_CALL_COMMITTED == CallStatus::Committed as u32);
    assert!(LC_CALL_FAILED == CallStatus::Failed as u32);
    assert!(LC_CALL_OUT_OF_ENERGY == CallStatus::OutOfEnergy as u32);
    assert!(LC_CALL_INTERNAL_ERROR == CallStatus::InternalError as u32);
    assert!(LC_CALL_CONNECTION_LOST == CallStatus::ConnectionLost as u32);
    assert!(LC_BATCH_VERSION == lc::BATCH_VERSION);
};
