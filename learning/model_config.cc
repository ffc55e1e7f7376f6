#include "learning/model_config.h"

#include <cmath>
#include <set>

#include "waveform/error.h"

namespace ecg::learning {
namespace {

// Model zero's dimension (learning/model_zero.h kModelZeroDimension, which includes this header).
constexpr int64_t kZeroFeatures = 842;
constexpr int64_t kZeroSizeFeatures = 12;  // learning/zero_block.h kZeroSizeFeatures
constexpr int64_t kZeroWaveFeatures = 65;  // learning/zero_block.h kZeroWaveFeatures

void Require(bool ok, const std::string& what) {
  if (!ok) throw Error::InvalidArgument("model config: " + what);
}

std::vector<Lead> LeadsFromJson(const nlohmann::json& json) {
  std::vector<Lead> leads;
  for (const auto& item : json) {
    const auto lead = LeadFromName(item.get<std::string>());
    Require(lead.has_value(),
            "reconstruction_input_leads: unknown lead '" + item.get<std::string>() + "'");
    leads.push_back(*lead);
  }
  return leads;
}

}  // namespace

int64_t ModelConfig::window_samples_source() const {
  return static_cast<int64_t>(std::lround(window_s * kModelSourceRate_hz));
}

int64_t ModelConfig::window_samples_model() const {
  return window_samples_source() / decimation();
}

int64_t ModelConfig::zero_block_output_dim() const {
  if (zero_block_dim == 0) return 0;
  return zero_block_dim + (zero_block_model_zero_share > 0.0 ? kZeroFeatures : 0) +
         (zero_block_size_share > 0.0 ? kZeroSizeFeatures : 0) +
         (zero_block_wave_share > 0.0 ? kZeroWaveFeatures : 0);
}

void ModelConfig::Validate() const {
  Require(input_rate_hz > 0 && kModelSourceRate_hz % input_rate_hz == 0,
          "input_rate_hz must divide 500 (got " + std::to_string(input_rate_hz) + ")");
  Require(window_s >= 2.0 && window_s <= 60.0, "window_s must be within [2, 60] s");
  Require(window_samples_source() % decimation() == 0,
          "window_s must hold a whole number of samples at input_rate_hz");
  Require(width >= 4 && width <= 1024, "width must be within [4, 1024]");
  Require(depth >= 1 && depth <= 12, "depth must be within [1, 12]");
  Require((window_samples_model() >> depth) >= 2, "depth too large for the input window");
  Require(kernel_size >= 3 && kernel_size % 2 == 1, "kernel_size must be odd and >= 3");
  Require(embedding_dim >= 8 && embedding_dim <= 4096, "embedding_dim must be within [8, 4096]");
  Require(projection_dim >= 8 && projection_dim <= 4096, "projection_dim must be within [8, 4096]");
  Require(max_beats >= 1 && max_beats <= 256, "max_beats must be within [1, 256]");
  Require(!reconstruction_input_leads.empty() && reconstruction_input_leads.size() < kLeadCount,
          "reconstruction_input_leads must name 1 to 11 leads");
  Require(
      std::set<Lead>(reconstruction_input_leads.begin(), reconstruction_input_leads.end()).size() ==
          reconstruction_input_leads.size(),
      "reconstruction_input_leads has duplicates");
  Require(lead_decoder_width >= 4 && lead_decoder_width <= 1024,
          "lead_decoder_width must be within [4, 1024]");
  Require(lead_decoder_depth >= 1 && lead_decoder_depth <= 12,
          "lead_decoder_depth must be within [1, 12]");
  Require(beat_block_dim >= 0 && beat_block_dim <= embedding_dim - 8,
          "beat_block_dim must be within [0, embedding_dim - 8]");
  Require(beat_block_weight >= 0.0 && beat_block_weight <= 1.0,
          "beat_block_weight must be within [0, 1]");
  Require(zero_block_dim >= 0 && zero_block_dim <= kZeroFeatures &&
              zero_block_output_dim() <= embedding_dim,
          "zero_block_dim must be within [0, 842] and its block fit in embedding_dim");
  Require(zero_block_dim == 0 || learned_dim() == 0 || learned_dim() >= 8,
          "zero_block_dim must leave 0 or at least 8 learned dimensions");
  Require(zero_block_dim == 0 || (input_rate_hz == 100 && beat_block_dim == 0),
          "zero_block_dim needs input_rate_hz 100 and beat_block_dim 0");
  for (double share : {zero_block_weight, zero_block_shrinkage, zero_block_patient_weight,
                       zero_block_model_zero_share, zero_block_size_share, zero_block_wave_share}) {
    Require(share >= 0.0 && share <= 1.0,
            "zero_block_weight, _shrinkage, _patient_weight, _model_zero_share, _size_share and "
            "_wave_share must be within [0, 1]");
  }
  Require(zero_block_size_share + zero_block_wave_share < 1.0,
          "zero_block_size_share + zero_block_wave_share must be below 1");
}

ModelConfig ModelConfig::Tiny() {
  ModelConfig c;
  c.width = 16;
  c.depth = 4;
  c.embedding_dim = 256;
  c.projection_dim = 64;
  c.max_beats = 16;
  c.lead_decoder_width = 16;
  c.lead_decoder_depth = 4;
  return c;
}

ModelConfig ModelConfig::Default() {
  return ModelConfig();
}

nlohmann::json ModelConfig::ToJson() const {
  nlohmann::json leads = nlohmann::json::array();
  for (Lead lead : reconstruction_input_leads) leads.push_back(std::string(LeadName(lead)));
  return {{"input_rate_hz", input_rate_hz},
          {"window_s", window_s},
          {"width", width},
          {"depth", depth},
          {"kernel_size", kernel_size},
          {"embedding_dim", embedding_dim},
          {"projection_dim", projection_dim},
          {"beat_branch", beat_branch},
          {"max_beats", max_beats},
          {"reconstruction_input_leads", leads},
          {"lead_decoder_width", lead_decoder_width},
          {"lead_decoder_depth", lead_decoder_depth},
          {"beat_block_dim", beat_block_dim},
          {"beat_block_weight", beat_block_weight},
          {"zero_block_dim", zero_block_dim},
          {"zero_block_weight", zero_block_weight},
          {"zero_block_shrinkage", zero_block_shrinkage},
          {"zero_block_patient_weight", zero_block_patient_weight},
          {"zero_block_model_zero_share", zero_block_model_zero_share},
          {"zero_block_size_share", zero_block_size_share},
          {"zero_block_wave_share", zero_block_wave_share}};
}

ModelConfig ModelConfig::FromJson(const nlohmann::json& json) {
  Require(json.is_object(), "expected a JSON object");
  ModelConfig c;
  try {
    for (const auto& [key, value] : json.items()) {
      if (key == "input_rate_hz")
        c.input_rate_hz = value.get<int64_t>();
      else if (key == "window_s")
        c.window_s = value.get<double>();
      else if (key == "width")
        c.width = value.get<int64_t>();
      else if (key == "depth")
        c.depth = value.get<int64_t>();
      else if (key == "kernel_size")
        c.kernel_size = value.get<int64_t>();
      else if (key == "embedding_dim")
        c.embedding_dim = value.get<int64_t>();
      else if (key == "projection_dim")
        c.projection_dim = value.get<int64_t>();
      else if (key == "beat_branch")
        c.beat_branch = value.get<bool>();
      else if (key == "max_beats")
        c.max_beats = value.get<int64_t>();
      else if (key == "reconstruction_input_leads")
        c.reconstruction_input_leads = LeadsFromJson(value);
      else if (key == "lead_decoder_width")
        c.lead_decoder_width = value.get<int64_t>();
      else if (key == "lead_decoder_depth")
        c.lead_decoder_depth = value.get<int64_t>();
      else if (key == "beat_block_dim")
        c.beat_block_dim = value.get<int64_t>();
      else if (key == "beat_block_weight")
        c.beat_block_weight = value.get<double>();
      else if (key == "zero_block_dim")
        c.zero_block_dim = value.get<int64_t>();
      else if (key == "zero_block_weight")
        c.zero_block_weight = value.get<double>();
      else if (key == "zero_block_shrinkage")
        c.zero_block_shrinkage = value.get<double>();
      else if (key == "zero_block_patient_weight")
        c.zero_block_patient_weight = value.get<double>();
      else if (key == "zero_block_model_zero_share")
        c.zero_block_model_zero_share = value.get<double>();
      else if (key == "zero_block_size_share")
        c.zero_block_size_share = value.get<double>();
      else if (key == "zero_block_wave_share")
        c.zero_block_wave_share = value.get<double>();
      else
        Require(false, "unknown key '" + key + "'");
    }
  } catch (const nlohmann::json::exception& e) {
    Require(false, std::string("wrong value type: ") + e.what());
  }
  c.Validate();
  return c;
}

}  // namespace ecg::learning
