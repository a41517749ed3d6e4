"""``agriadvisor finetune``: turn an organisation's own question/answer pairs into a LoRA adapter
on a 4-bit NF4 base (QLoRA, Akṣara's recipe) that the library serves as ``adapter:FOLDER``.

The steps live in small modules: :mod:`.config` (the recipe), :mod:`.data` (reading and checking
rows), :mod:`.prompts` (the backend's own prompt format), :mod:`.evidence` (understanding and
retrieval), :mod:`.checks` (GPU, bitsandbytes, base model), :mod:`.run` (training and saving)
and :mod:`.scoring` (ROUGE-L and answer checks). torch and transformers load only when a run starts.
"""

from agriadvisor.finetune.config import FinetuneConfig, load_config, save_config
from agriadvisor.finetune.data import ColumnMap, DataReport, QAPair, read_pairs
from agriadvisor.finetune.run import FinetuneResult, finetune

__all__ = ["ColumnMap", "DataReport", "FinetuneConfig", "FinetuneResult", "QAPair", "finetune", "load_config",
           "read_pairs", "save_config"]
