#include <gtest/gtest.h>

#include "tests/storage/store_fixture.h"

namespace ecg::testing {
namespace {

using MigrationsTest = StoreTest;

TEST_F(MigrationsTest, MigratingAnUpToDateDatabaseAppliesNothing) {
  EXPECT_TRUE(store_->Migrate().empty());
  EXPECT_EQ(store_->AppliedMigrations(), EcgStore::KnownMigrations());
}

TEST_F(MigrationsTest, AFreshDatabaseGetsEveryKnownMigrationInOrder) {
  const std::string uri = PostgresServer::Shared().CreateDatabase("fresh");
  StoreOptions options;
  options.connection_uri = uri;
  EcgStore store(options);
  EXPECT_TRUE(store.AppliedMigrations().empty());
  EXPECT_EQ(store.Migrate(), EcgStore::KnownMigrations());
  EXPECT_EQ(store.AppliedMigrations(), EcgStore::KnownMigrations());
  EXPECT_TRUE(store.Migrate().empty());
}

TEST_F(MigrationsTest, SignalColumnsAreStoredOutOfLineWithoutRecompression) {
  // 'e' is EXTERNAL: out of line, no pglz.
  EXPECT_EQ(Sql("SELECT attstorage FROM pg_attribute WHERE attrelid = 'signals'::regclass"
                " AND attname IN ('signal', 'median_beat') ORDER BY attname"),
            "e\ne");
}

TEST_F(MigrationsTest, EveryTableThatGrowsWithTheEcgsCarriesThePatientKey) {
  for (const char* table : {"ecgs", "signals", "embeddings"}) {
    EXPECT_EQ(Sql(std::string("SELECT count(*) FROM information_schema.columns WHERE"
                              " table_name = '") +
                  table + "' AND column_name = 'patient_key'"),
              "1")
        << table;
  }
}

TEST_F(MigrationsTest, NoColumnHoldsThePatientsName) {
  EXPECT_EQ(Sql("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public'"
                " AND column_name LIKE '%name%' AND table_name IN ('patients', 'ecgs')"),
            "0");
}

}  // namespace
}  // namespace ecg::testing
