//! HTTP work on the database thread: a reducer call as connect + call + disconnect, and SQL
//! over views (which the module evaluates).

use lightcone_host::{Caller, ReducerOutcome};
use lightcone_protocol::sats::{Identity, ProductValue};

use super::{ConnectError, HttpCallResult, Worker};
use crate::sql::budget::{QueryBudget, Spend, Stop};
use crate::sql::parse::Statement;
use crate::sql::{SqlError, SqlOutput};
use crate::subscribe::QueryPlan;

impl Worker {
    /// Opens an HTTP caller's connection of its own, as SpacetimeDB does for each call:
    /// `client_connected` (its refusal reason is the `Err`); the transaction reaches
    /// subscribers. [`Self::disconnect_http`] closes it after the call.
    pub(super) fn connect_http(&mut self, caller: Caller) -> Result<(), ConnectError> {
        let connected = self.host.client_connected(caller);
        if let ReducerOutcome::Committed(delta) = &connected.outcome {
            self.committed(delta, None);
        }
        connected
            .outcome
            .error()
            .map_or(Ok(()), |e| Err(ConnectError::Refused(e)))
    }

    /// Runs `client_disconnected` for an HTTP caller's call that ended.
    pub(super) fn disconnect_http(&mut self, caller: Caller) {
        let disconnected = self.host.client_disconnected(caller);
        if let ReducerOutcome::Committed(delta) = &disconnected.outcome {
            self.committed(delta, None);
        }
    }

    /// An HTTP reducer call: connect, call, disconnect.
    pub(super) fn http_call(
        &mut self,
        reducer: &str,
        caller: Caller,
        args: &[u8],
    ) -> HttpCallResult {
        if let Err(reason) = self.connect_http(caller) {
            return HttpCallResult::Refused(reason);
        }
        let result = match self.host.call_reducer(reducer, caller, args) {
            Ok(r) => {
                self.record_call(reducer, &r.outcome, r.duration);
                if let ReducerOutcome::Committed(delta) = &r.outcome {
                    self.committed(delta, None);
                }
                HttpCallResult::Ran(r)
            }
            Err(e) => HttpCallResult::NotCalled(e),
        };
        self.disconnect_http(caller);
        result
    }

    /// An HTTP `SELECT` over a view (or views joined): the rows a subscription to it would
    /// hold, then, for a single source, its columns, `COUNT(*)` and `LIMIT`.
    pub(super) fn view_sql(
        &mut self,
        sql: &str,
        caller: Identity,
        owner: bool,
    ) -> Result<SqlOutput, SqlError> {
        let queries = [sql.into()];
        let result = self
            .materialize(&queries, caller)
            .map_err(|e| SqlError::Refused(e.to_string()));
        let output = result.and_then(|()| {
            let Statement::Select(mut select) = crate::sql::parse::parse(sql)? else {
                return Err(SqlError::Unsupported("only SELECT reads views".into()));
            };
            let (projection, limit) = (select.projection.clone(), select.limit.take());
            if select.join.is_none() {
                select.projection = crate::sql::parse::Projection::All(None);
            }
            let state = self.host.datastore().read();
            let plan = QueryPlan::compile_select(&state, &self.views, select, caller, owner)?;
            let def = self.host.def();
            let row_type = match (plan.view, &plan.view_join, &plan.view_pair) {
                (Some((index, _)), _, _) => def
                    .views
                    .get(index)
                    .ok_or_else(|| SqlError::NoSuchTable(plan.table_name.to_string()))?
                    .row_type
                    .clone(),
                (None, Some(j), _) if j.returns_view => j.view_type.clone(),
                (None, None, Some(p)) if p.returns_right => p.right.row_type.clone(),
                (None, None, Some(p)) => p.left.row_type.clone(),
                // A query view: rows of the table its query reads.
                _ => state
                    .table(plan.table_id)
                    .map_err(|e| SqlError::Refused(e.to_string()))?
                    .def
                    .row_type
                    .clone(),
            };
            let mut spend = Spend::new(QueryBudget::for_caller(owner), None);
            let list = plan
                .current_rows(&state, &self.views, &mut spend)
                .map_err(Stop::into_error)?;
            let rows = list
                .rows()
                .map_err(|e| SqlError::Refused(e.to_string()))?
                .iter()
                .map(|r| {
                    ProductValue::decode_exact(&row_type, &Default::default(), r)
                        .map_err(|e| SqlError::Refused(e.to_string()))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let mut rows = rows;
            if !matches!(projection, crate::sql::parse::Projection::Count(_)) {
                rows.truncate(limit.map_or(usize::MAX, |l| l as usize));
            }
            crate::sql::exec::project(&projection, row_type, rows)
        });
        self.views.retain(&self.subs.view_keys());
        output
    }
}
