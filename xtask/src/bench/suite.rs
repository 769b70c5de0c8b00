//! Every measurement, in the table's order: the phases run one after another against one fake.

use super::binaries::Binaries;
use super::error::BenchError;
use super::phases;
use super::plan::Plan;
use super::rows::{self, Figures};
use super::servers::Servers;
use super::table::Row;

pub async fn measure_all(plan: Plan, binaries: &Binaries) -> Result<Vec<Row>, BenchError> {
    let servers = Servers::start(binaries).await?;
    let mut rows = vec![rows::cold_start(
        &phases::cold_starts(&servers, plan).await?,
    )];
    let figures = Figures {
        floor: phases::floor(&servers, plan).await?,
        hits: phases::cache_hits(&servers, plan).await?,
        http: phases::http(&servers, plan).await?,
        misses: phases::cache_misses(&servers, plan).await?,
        slow: phases::slow_misses(&servers, plan).await?,
    };
    rows.extend(rows::figures(&figures));
    rows.extend(rows::listings(&phases::listings(&servers).await?));
    rows.extend(rows::answers(phases::answers(&servers).await?)?);
    Ok(rows)
}
