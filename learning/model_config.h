// ModelConfig: the shape of an ECG model (encoder + heads), with defaults, JSON load/save and
// validation. A model directory stores it as config.json; the same text loads the same shape.
//
// Fields added later have defaults, so older config.json files still load.
// Units: rates in Hz, durations in seconds or milliseconds as named. The model reads canonical
// ECGs (waveform/canonical.h, 500 Hz, microvolts) and decimates them to input_rate_hz inside.
// Plain value type, no thread-safety concerns. Errors: FromJson and Validate throw
// Error::InvalidArgument naming the field that is wrong.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "waveform/lead.h"

namespace ecg::learning {

// The rate every model input arrives at (the canonical rate).
constexpr int64_t kModelSourceRate_hz = 500;

struct ModelConfig {
  int64_t input_rate_hz = 100;   // rate the encoder runs at; must divide 500 Hz
  double window_s = 10.0;        // centre window of each ECG fed to the encoder
  int64_t width = 64;            // channels of the first stage; later stages double (max 4x)
  int64_t depth = 6;             // residual blocks, each halving the time axis
  int64_t kernel_size = 7;       // temporal kernel of the residual blocks (odd)
  int64_t embedding_dim = 256;   // L2-normalised embedding used for search
  int64_t projection_dim = 128;  // contrastive projection head output
  bool beat_branch = true;       // add an R-aligned median-beat branch to the encoder
  int64_t max_beats = 24;        // R peaks kept per ECG for the beat branch
  std::vector<Lead> reconstruction_input_leads = {Lead::kI};  // lead decoder input
  int64_t lead_decoder_width = 64;  // channels of the dilated lead-reconstruction CNN
  int64_t lead_decoder_depth = 6;   // dilated blocks (dilation 1, 2, 4, ...)
  // Identity block (learning/beat_block.h): the last beat_block_dim dimensions of the embedding
  // are the median beat, standardised and projected with statistics fitted on the training data
  // (model buffers); 0 switches it off. beat_block_weight is the block's share of the embedding's
  // squared norm (the learned part gets the rest), in [0, 1].
  int64_t beat_block_dim = 0;
  double beat_block_weight = 0.5;
  // Zero block (learning/zero_block.h): the last zero_block_dim dimensions of the embedding are
  // model zero's features through a whitening learned from the training data's positives (odd vs
  // even beats of one ECG, a patient's consecutive ECGs); 0 switches it off. Needs
  // input_rate_hz 100 and no beat block. When it fills the whole embedding (zero_block_dim ==
  // embedding_dim) there is no learned part; otherwise zero_block_weight is its share of the
  // squared norm as for the beat block. Fit settings: shrinkage of the positives' covariance
  // towards its mean variance, in [0, 1]; the share of patient pairs among the positives, [0, 1].
  // zero_block_model_zero_share > 0 puts model zero's own 842 features beside the whitened ones
  // with that share of the block's squared norm (the block then has zero_block_dim + 842
  // dimensions): at 0 the block is the whitening alone. zero_block_size_share > 0 adds the size
  // block after them (kZeroSizeFeatures dimensions, learning/zero_block.h): each lead's median-beat
  // amplitude, which model zero's per-lead normalisation leaves out, with that share of the
  // block's squared norm (the other parts keep theirs, scaled by 1 - the share).
  // zero_block_wave_share > 0 adds the wave block last (kZeroWaveFeatures dimensions: each lead's
  // R and S extremes, net QRS, ST level and T wave in mV, the frontal QRS and T axes, a QRS width)
  // with that share; size and wave shares together stay below 1.
  int64_t zero_block_dim = 0;
  double zero_block_weight = 0.5;
  double zero_block_shrinkage = 0.1;
  double zero_block_patient_weight = 0.5;
  double zero_block_model_zero_share = 0.0;
  double zero_block_size_share = 0.0;
  double zero_block_wave_share = 0.0;

  // Derived sizes.
  int64_t decimation() const { return kModelSourceRate_hz / input_rate_hz; }
  int64_t window_samples_source() const;  // samples per lead at 500 Hz
  int64_t window_samples_model() const;   // samples per lead at input_rate_hz
  // Dimensions of the zero block's output, and of the embedding that the network learns (0: the
  // zero block alone).
  int64_t zero_block_output_dim() const;
  int64_t learned_dim() const { return embedding_dim - beat_block_dim - zero_block_output_dim(); }

  // Throws Error::InvalidArgument for inconsistent values.
  void Validate() const;

  static ModelConfig Tiny();     // for CPU tests: small and fast
  static ModelConfig Default();  // the nightly model

  nlohmann::json ToJson() const;
  // Missing keys keep their defaults; unknown keys are errors (typos must not pass silently).
  static ModelConfig FromJson(const nlohmann::json& json);
};

}  // namespace ecg::learning
