// The background measurer against a real PostgreSQL: it leaves the store alone while ingest is
// busy (a burst), measures what is pending once it is not, and a Wake() (ECGs stored unmeasured)
// ends its idle sleep at once.
#include "plugin/measure/measurement_backlog.h"

#include <atomic>

#include "tests/plugin/plugin_fixture.h"

namespace ecg::testing {
namespace {

using ecg::plugin::MeasurementBacklog;
using ecg::plugin::MeasurementBacklogOptions;
using std::chrono::milliseconds;

class MeasurementBacklogTest : public PluginTest {
 protected:
  void StoreUnmeasured(size_t count, uint64_t seed) {
    SynthOptions options;
    options.patients = 1;
    options.ecgs_per_patient = count;
    options.seed = seed;
    for (SyntheticEcg& e : SynthesiseCohort(options)) {
      Store().UpsertEcg(StoredSyntheticEcg(std::move(e), 20000000 + next_++, "p"));
    }
  }
  int64_t Measured() { return Store().CountMeasured(kMeasureVersion); }
  std::shared_ptr<EcgStore> OwnStore() {
    StoreOptions options;
    options.connection_uri = uri_;
    options.pool_size = 2;
    return std::make_shared<EcgStore>(options);
  }

  int next_ = 0;
};

TEST_F(MeasurementBacklogTest, WaitsWhileIngestIsBusyThenMeasuresAndAWakeEndsItsIdleSleep) {
  Store().Migrate();
  StoreUnmeasured(3, /*seed=*/81);
  std::atomic<bool> busy{true};
  std::atomic<int> asked{0};
  MeasurementBacklogOptions options;
  options.busy = [&] {
    ++asked;
    return busy.load();
  };
  options.busy_poll = milliseconds(50);
  options.idle_poll = milliseconds(60000);  // only a Wake() ends an idle sleep within the test
  MeasurementBacklog backlog(options, OwnStore());
  backlog.Start();

  ASSERT_TRUE(WaitUntil([&] { return asked >= 4; }, std::chrono::seconds(5)));
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(Measured(), 0) << "measured during a burst";

  busy = false;
  ASSERT_TRUE(WaitUntil([&] { return Measured() == 3; }, std::chrono::seconds(10)));
  std::this_thread::sleep_for(milliseconds(1000));  // nothing pending: asleep for a minute
  StoreUnmeasured(2, /*seed=*/82);
  std::this_thread::sleep_for(milliseconds(500));
  EXPECT_EQ(Measured(), 3) << "the idle sleep ended without a Wake()";
  backlog.Wake();
  EXPECT_TRUE(WaitUntil([&] { return Measured() == 5; }, std::chrono::seconds(10)));
  EXPECT_EQ(backlog.measured(), 5);
  backlog.Stop();
}

}  // namespace
}  // namespace ecg::testing
