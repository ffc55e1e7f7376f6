// The "Training" object of the "Ecg" section (plugin/plugin_config.h) and the daily schedule
// (plugin/training/training_schedule.h).
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "plugin/plugin_config.h"
#include "plugin/training/training_schedule.h"
#include "waveform/error.h"

namespace ecg::plugin {
namespace {

using nlohmann::json;

TrainingSettings Parse(const json& training) {
  return ParsePluginConfig(
             {{"Ecg", {{"ConnectionUri", "postgresql://h/ecg"}, {"Training", training}}}})
      ->training;
}

std::string ErrorOf(const json& training) {
  try {
    Parse(training);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(TrainingConfigTest, DefaultsAreANightlyLocalRunAtTwoOnTheBestDevice) {
  const TrainingSettings s =
      ParsePluginConfig({{"Ecg", {{"ConnectionUri", "postgresql://h/ecg"}}}})->training;
  EXPECT_EQ(s.schedule_minute, 120);
  EXPECT_TRUE(s.local_worker);
  EXPECT_EQ(s.device, "auto");
  EXPECT_EQ(s.worker_path, "orthanc-ecg");
  EXPECT_TRUE(s.config_file.empty());
}

TEST(TrainingConfigTest, EveryKeyIsRead) {
  const TrainingSettings s = Parse({{"Schedule", "23:45"},
                                    {"Worker", "external"},
                                    {"Device", "cuda:1"},
                                    {"Config", "/etc/orthanc/model.json"},
                                    {"WorkerPath", "/usr/bin/orthanc-ecg"},
                                    {"HeartbeatTimeoutSeconds", 60}});
  EXPECT_EQ(s.schedule_minute, 23 * 60 + 45);
  EXPECT_FALSE(s.local_worker);
  EXPECT_EQ(s.device, "cuda:1");
  EXPECT_EQ(s.config_file, "/etc/orthanc/model.json");
  EXPECT_EQ(s.worker_path, "/usr/bin/orthanc-ecg");
  EXPECT_EQ(s.heartbeat_timeout_s, 60);
  EXPECT_FALSE(Parse({{"Schedule", "disabled"}}).schedule_minute.has_value());
}

TEST(TrainingConfigTest, BadValuesAreRefusedWithTheKeyInTheMessage) {
  EXPECT_NE(ErrorOf({{"Schedule", "24:00"}}).find("Ecg.Training.Schedule must be"),
            std::string::npos);
  EXPECT_NE(ErrorOf({{"Schedule", "2:00"}}).find("Ecg.Training.Schedule"), std::string::npos);
  EXPECT_NE(ErrorOf({{"Worker", "remote"}}).find("Ecg.Training.Worker must be"), std::string::npos);
  EXPECT_NE(ErrorOf({{"Device", "gpu"}}).find("Ecg.Training.Device must be"), std::string::npos);
  EXPECT_NE(ErrorOf({{"Config", 3}}).find("Ecg.Training.Config must be a non-empty string"),
            std::string::npos);
  EXPECT_NE(ErrorOf({{"HeartbeatTimeoutSeconds", 1}}).find("Ecg.Training.HeartbeatTimeout"),
            std::string::npos);
  EXPECT_NE(ErrorOf({{"Shedule", "02:00"}}).find("\"Shedule\""), std::string::npos);
  EXPECT_NE(ErrorOf(json::array()).find("Ecg.Training must be a JSON object"), std::string::npos);
}

class ScheduleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tz = std::getenv("TZ");
    if (tz != nullptr) saved_tz_ = tz;
    had_tz_ = tz != nullptr;
    setenv("TZ", "UTC", 1);
    tzset();
  }
  void TearDown() override {
    if (had_tz_) {
      setenv("TZ", saved_tz_.c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }
  std::string saved_tz_;
  bool had_tz_ = false;
};

constexpr int64_t kDay = 86400000;
constexpr int64_t kMinute = 60000;
constexpr int64_t kMidnight = 1767225600000;  // 2026-01-01T00:00:00Z

TEST_F(ScheduleTest, TheDaysSlotIsTodaysLocalTime) {
  EXPECT_EQ(TodaysSlotMs(kMidnight + 15 * 60 * kMinute, 120), kMidnight + 120 * kMinute);
}

TEST_F(ScheduleTest, ARunIsDueOnceWithinTheHourAfterTheSlot) {
  const int64_t slot = kMidnight + 120 * kMinute;
  EXPECT_FALSE(ScheduledRunDue(slot - kMinute, 120, std::nullopt));
  EXPECT_TRUE(ScheduledRunDue(slot, 120, std::nullopt));
  EXPECT_TRUE(ScheduledRunDue(slot + 30 * kMinute, 120, slot - kDay));
  EXPECT_FALSE(ScheduledRunDue(slot + 30 * kMinute, 120, slot + kMinute));
  EXPECT_FALSE(ScheduledRunDue(slot + 61 * kMinute, 120, slot - kDay));
  EXPECT_TRUE(ScheduledRunDue(slot + kDay, 120, slot + kMinute));
}

}  // namespace
}  // namespace ecg::plugin
