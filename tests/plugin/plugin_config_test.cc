// The "Ecg" section is read once: a missing section or Enable false disables the plugin, values
// get their documented defaults, and a bad value is refused with a message naming its key.
#include "plugin/plugin_config.h"

#include <gtest/gtest.h>

#include "waveform/error.h"

namespace ecg::plugin {
namespace {

using nlohmann::json;

json WithSection(const json& section) {
  return {{"Name", "test"}, {"Ecg", section}};
}

std::string ErrorOf(const json& section) {
  try {
    ParsePluginConfig(WithSection(section));
  } catch (const Error& e) {
    EXPECT_TRUE(e.IsInvalidArgument());
    return e.what();
  }
  return "";
}

TEST(PluginConfigTest, AMissingSectionOrEnableFalseDisablesThePlugin) {
  EXPECT_FALSE(ParsePluginConfig({{"Name", "test"}}).has_value());
  EXPECT_FALSE(ParsePluginConfig(WithSection({{"Enable", false}})).has_value());
}

TEST(PluginConfigTest, OnlyTheConnectionUriIsRequiredAndTheRestHasDefaults) {
  const auto config = ParsePluginConfig(WithSection({{"ConnectionUri", "postgresql://h/ecg"}}));
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->connection_uri, "postgresql://h/ecg");
  EXPECT_EQ(config->data_directory, "/var/lib/orthanc/ecg");
  EXPECT_EQ(config->threads, 2u);
  EXPECT_EQ(config->queue_size, 1000u);
  EXPECT_TRUE(config->unknown_keys.empty());
}

TEST(PluginConfigTest, EveryDocumentedKeyIsRead) {
  const auto config = ParsePluginConfig(WithSection({{"Enable", true},
                                                     {"ConnectionUri", "postgresql://h/ecg"},
                                                     {"DataDirectory", "/data/ecg"},
                                                     {"Threads", 4},
                                                     {"QueueSize", 50},
                                                     {"ChangesBatch", 25},
                                                     {"MaxRetryDelaySeconds", 2.5},
                                                     {"PollIntervalSeconds", 0.5}}));
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->data_directory, "/data/ecg");
  EXPECT_EQ(config->threads, 4u);
  EXPECT_EQ(config->queue_size, 50u);
  EXPECT_EQ(config->changes_batch, 25u);
  EXPECT_DOUBLE_EQ(config->max_retry_delay_s, 2.5);
  EXPECT_DOUBLE_EQ(config->poll_interval_s, 0.5);
}

TEST(PluginConfigTest, BadValuesAreRefusedWithAMessageNamingTheKey) {
  const json base = {{"ConnectionUri", "postgresql://h/ecg"}};
  auto with = [&](const char* key, const json& value) {
    json section = base;
    section[key] = value;
    return section;
  };
  EXPECT_EQ(ErrorOf(with("Threads", 0)), "Ecg.Threads must be an integer from 1 to 16");
  EXPECT_EQ(ErrorOf(with("Threads", "two")), "Ecg.Threads must be an integer from 1 to 16");
  EXPECT_EQ(ErrorOf(with("Enable", "yes")), "Ecg.Enable must be true or false");
  EXPECT_EQ(ErrorOf(with("ConnectionUri", "")), "Ecg.ConnectionUri must be a non-empty string");
  EXPECT_NE(ErrorOf(with("PollIntervalSeconds", -1)).find("Ecg.PollIntervalSeconds"),
            std::string::npos);
  EXPECT_NE(ErrorOf({{"Threads", 2}}).find("Ecg.ConnectionUri"), std::string::npos);
  EXPECT_EQ(ErrorOf(json::array()), "Ecg must be a JSON object");
}

TEST(PluginConfigTest, UnknownKeysAreReportedNotRefused) {
  const auto config =
      ParsePluginConfig(WithSection({{"ConnectionUri", "postgresql://h/ecg"}, {"Trainng", {}}}));
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->unknown_keys, std::vector<std::string>{"Trainng"});
}

}  // namespace
}  // namespace ecg::plugin
